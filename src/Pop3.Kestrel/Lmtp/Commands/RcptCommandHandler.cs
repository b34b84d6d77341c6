using System.Text;

namespace Pop3.Kestrel.Lmtp.Commands;

/// <summary>
/// RCPT TO:&lt;path&gt; (RFC 5321 §4.1.1.3): a recipient, looked up in the user directory now, so that each one gets its
/// own answer before DATA (RFC 2033 §4.2). An unknown user or a directory that cannot answer is a refusal of that
/// recipient, not an error of the client.
/// </summary>
internal sealed class RcptCommandHandler : ILmtpCommandHandler
{
    public ValueTask<LmtpCommandResult> ExecuteAsync(LmtpSessionContext context, ReadOnlyMemory<byte> arguments, CancellationToken cancellationToken)
    {
        var refusal = Check(context, arguments.Span, out var user, out var address);
        if (!refusal.IsEmpty)
        {
            context.Write(refusal);
            return ValueTask.FromResult(LmtpCommandResult.Error);
        }

        if (context.Recipients.Count >= context.Options.MaxRecipients)
        {
            context.Metrics?.RecipientRefused("too_many");
            context.Write(LmtpReplies.TooManyRecipients);
            return ValueTask.FromResult(LmtpCommandResult.Done);
        }

        return AddAsync(context, user!, address!, cancellationToken);
    }

    /// <summary>The reply refusing the command as the client's error, or an empty span with the user and address to look up.</summary>
    private static ReadOnlySpan<byte> Check(LmtpSessionContext context, ReadOnlySpan<byte> arguments, out string? user, out string? address)
    {
        user = address = null;
        if (!context.HasSender)
        {
            return context.Greeted ? LmtpReplies.MailFirst : LmtpReplies.LhloFirst;
        }

        if (!LmtpCommandParser.TrySplitPath(arguments, "TO:"u8, out var path, out var parameters))
        {
            return LmtpReplies.RcptSyntax;
        }

        if (!parameters.IsEmpty)
        {
            return LmtpReplies.UnsupportedParameter;
        }

        if (!LmtpCommandParser.TrySplitMailbox(path, out var localPart, out var domain))
        {
            return LmtpReplies.BadRecipient;
        }

        user = LmtpCommandParser.UserOf(localPart, domain, context.Options.RecipientMapping);
        address = Encoding.UTF8.GetString(path);
        return [];
    }

    private static async ValueTask<LmtpCommandResult> AddAsync(LmtpSessionContext context, string user, string address, CancellationToken cancellationToken)
    {
        string? mailbox;
        try
        {
            mailbox = await context.Users.FindMailboxAsync(user, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            context.Logger.LookupFailed(address, e);
            context.Metrics?.RecipientRefused("lookup_failed");
            context.Write(LmtpReplies.LookupFailed);
            return LmtpCommandResult.Done;
        }

        if (mailbox is null)
        {
            context.Logger.UnknownRecipient(address, user);
            context.Metrics?.RecipientRefused("unknown_user");
            context.RecipientUnknown();
            context.Write(LmtpReplies.NoSuchUser);
            return LmtpCommandResult.Done;
        }

        context.RecipientAccepted(new LmtpRecipient(mailbox, address));
        context.Write(LmtpReplies.RecipientOk);
        return LmtpCommandResult.Done;
    }
}
