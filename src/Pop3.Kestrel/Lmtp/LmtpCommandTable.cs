using Pop3.Kestrel.Lmtp.Commands;

namespace Pop3.Kestrel.Lmtp;

/// <summary>Which handler executes each LMTP verb, indexed by the parsed <see cref="LmtpCommand"/>. Handlers are stateless, so one table serves every session.</summary>
internal static class LmtpCommandTable
{
    private static readonly ILmtpCommandHandler[] Handlers = Build();

    /// <summary>The handler of <paramref name="command"/>; every verb has one, an unknown verb's refuses it.</summary>
    public static ILmtpCommandHandler Find(LmtpCommand command) => Handlers[(int)command];

    private static ILmtpCommandHandler[] Build()
    {
        var handlers = new ILmtpCommandHandler[Enum.GetValues<LmtpCommand>().Length];
        handlers[(int)LmtpCommand.Unknown] = new RefusingCommandHandler(LmtpReplies.Unrecognized.ToArray());
        handlers[(int)LmtpCommand.Lhlo] = new LhloCommandHandler();
        handlers[(int)LmtpCommand.Mail] = new MailCommandHandler();
        handlers[(int)LmtpCommand.Rcpt] = new RcptCommandHandler();
        handlers[(int)LmtpCommand.Data] = new DataCommandHandler();
        handlers[(int)LmtpCommand.Rset] = new RsetCommandHandler();
        handlers[(int)LmtpCommand.Noop] = new NoopCommandHandler();
        handlers[(int)LmtpCommand.Quit] = new QuitCommandHandler();
        handlers[(int)LmtpCommand.Vrfy] = new VrfyCommandHandler();
        handlers[(int)LmtpCommand.Helo] = new RefusingCommandHandler(LmtpReplies.UseLhlo.ToArray());
        handlers[(int)LmtpCommand.NotImplemented] = new RefusingCommandHandler(LmtpReplies.NotImplemented.ToArray());
        return handlers;
    }
}
