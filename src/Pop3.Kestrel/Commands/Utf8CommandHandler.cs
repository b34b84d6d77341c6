using Pop3.Kestrel.Protocol;
using Pop3.Kestrel.Sessions;

namespace Pop3.Kestrel.Commands;

/// <summary>UTF8 (RFC 6856 §2): from now on USER, PASS and APOP take UTF-8; invalid UTF-8 gets <c>-ERR</c>.</summary>
internal sealed class Utf8CommandHandler : IPop3CommandHandler
{
    public Pop3Command Command => Pop3Command.Utf8;

    public ValueTask<Pop3CommandResult> ExecuteAsync(Pop3SessionContext context, ReadOnlyMemory<byte> arguments, CancellationToken cancellationToken)
    {
        if (!arguments.IsEmpty)
        {
            context.Write(Pop3Replies.NoArguments);
            return ValueTask.FromResult(Pop3CommandResult.Failed);
        }

        context.EnableUtf8();
        context.Write(Pop3Replies.Utf8Enabled);
        return ValueTask.FromResult(Pop3CommandResult.Completed);
    }
}
