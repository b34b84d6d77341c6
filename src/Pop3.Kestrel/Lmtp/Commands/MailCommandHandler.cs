namespace Pop3.Kestrel.Lmtp.Commands;

/// <summary>MAIL FROM:&lt;path&gt; [SIZE=n] [BODY=7BIT|8BITMIME] (RFC 5321 §4.1.1.2, RFC 1870, RFC 6152): the sender.</summary>
internal sealed class MailCommandHandler : ILmtpCommandHandler
{
    public ValueTask<LmtpCommandResult> ExecuteAsync(LmtpSessionContext context, ReadOnlyMemory<byte> arguments, CancellationToken cancellationToken) =>
        ValueTask.FromResult(Execute(context, arguments.Span));

    private static LmtpCommandResult Execute(LmtpSessionContext context, ReadOnlySpan<byte> arguments)
    {
        var refusal = Check(context, arguments, out var declaredSize);
        if (!refusal.IsEmpty)
        {
            context.Write(refusal);
            return LmtpCommandResult.Error;
        }

        if (declaredSize > context.Options.MaxMessageSize)
        {
            // RFC 1870 §6.1: refused at once, before any data is sent.
            context.Logger.TooBig(declaredSize, context.Options.MaxMessageSize);
            context.Write(LmtpReplies.TooBig);
            return LmtpCommandResult.Done;
        }

        context.SenderAccepted();
        context.Write(LmtpReplies.SenderOk);
        return LmtpCommandResult.Done;
    }

    /// <summary>The reply refusing the command as the client's error, or an empty span.</summary>
    private static ReadOnlySpan<byte> Check(LmtpSessionContext context, ReadOnlySpan<byte> arguments, out long declaredSize)
    {
        declaredSize = 0;
        if (!context.Greeted)
        {
            return LmtpReplies.LhloFirst;
        }

        if (context.HasSender)
        {
            return LmtpReplies.NestedMail;
        }

        if (!LmtpCommandParser.TrySplitPath(arguments, "FROM:"u8, out var path, out var parameters))
        {
            return LmtpReplies.MailSyntax;
        }

        // The null reverse-path <> is how bounces arrive.
        if (!path.IsEmpty && !LmtpCommandParser.TrySplitMailbox(path, out _, out _))
        {
            return LmtpReplies.BadSender;
        }

        return LmtpCommandParser.ParseMailParameters(parameters, out declaredSize) switch
        {
            LmtpCommandParser.MailParameters.Malformed => LmtpReplies.MailSyntax,
            LmtpCommandParser.MailParameters.Unsupported => LmtpReplies.UnsupportedParameter,
            _ => [],
        };
    }
}
