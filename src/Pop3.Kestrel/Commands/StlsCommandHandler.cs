using Pop3.Kestrel.Protocol;
using Pop3.Kestrel.Sessions;

namespace Pop3.Kestrel.Commands;

/// <summary>STLS (RFC 2595 §4): <c>+OK</c>, then the TLS handshake on the same connection; the session stays in AUTHORIZATION.</summary>
internal sealed class StlsCommandHandler : IPop3CommandHandler, IPop3CapabilityProvider
{
    public Pop3Command Command => Pop3Command.Stls;

    public ValueTask<Pop3CommandResult> ExecuteAsync(Pop3SessionContext context, ReadOnlyMemory<byte> arguments, CancellationToken cancellationToken)
    {
        if (!arguments.IsEmpty)
        {
            context.Write(Pop3Replies.NoArguments);
        }
        else if (context.Connection.IsSecure)
        {
            context.Write(Pop3Replies.AlreadySecure);
        }
        else if (!context.CanStartTls)
        {
            context.Write(Pop3Replies.TlsUnavailable);
        }
        else
        {
            context.Write(Pop3Replies.BeginTls);
            return ValueTask.FromResult(Pop3CommandResult.StartTls);
        }

        return ValueTask.FromResult(Pop3CommandResult.Failed);
    }

    public void WriteCapabilities(Pop3SessionContext context)
    {
        if (context.CanStartTls)
        {
            context.Write("STLS\r\n"u8);
        }
    }
}
