using Pop3.Kestrel.Protocol;

namespace Pop3.Kestrel.Sessions;

/// <summary>The check every command taking a message number makes (RFC 1939 §5), and the <c>-ERR</c> it answers.</summary>
internal static class Pop3MessageNumber
{
    /// <summary>The reply refusing <paramref name="argument"/>, or an empty span if it names a listed, undeleted message.</summary>
    public static ReadOnlySpan<byte> Check(ReadOnlySpan<byte> argument, Pop3Maildrop? maildrop, out int number)
    {
        if (!Pop3CommandParser.TryParseNumber(argument, out number))
        {
            return Pop3Replies.InvalidMessageNumber;
        }

        if (maildrop is null || !maildrop.Exists(number))
        {
            return Pop3Replies.NoSuchMessage;
        }

        return maildrop.IsDeleted(number) ? Pop3Replies.MessageDeleted : [];
    }
}
