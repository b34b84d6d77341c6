using System.Buffers;
using System.Buffers.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Pop3.Kestrel.Authentication;
using Pop3.Kestrel.Authentication.Sasl;
using Pop3.Kestrel.Protocol;
using Pop3.Kestrel.Sessions;

namespace Pop3.Kestrel.Commands;

/// <summary>
/// AUTH (RFC 5034). Bare <c>AUTH</c> lists the mechanisms usable on this connection now (<c>+OK</c>, one per line,
/// <c>.</c>). <c>AUTH mechanism [initial-response]</c> runs a SASL exchange: challenges are <c>+ base64</c>, the
/// client answers one base64 line (<c>=</c> is an empty initial response), <c>*</c> cancels. Lines may be up to
/// <see cref="Pop3SessionContext.MaxContinuationLineLength"/> octets. Every credential failure carries <c>[AUTH]</c>.
/// </summary>
internal sealed class AuthCommandHandler(
    Pop3SaslMechanisms mechanisms,
    Pop3LoginGuard guard,
    IOptions<Pop3AuthenticationOptions> options,
    ILogger<AuthCommandHandler> logger) : IPop3CommandHandler
{
    private readonly Pop3AuthenticationOptions _options = options.Value;

    public Pop3Command Command => Pop3Command.Auth;

    // Password checks (PLAIN, LOGIN) and opening the maildrop.
    public bool MayBlock => true;

    public async ValueTask<Pop3CommandResult> ExecuteAsync(Pop3SessionContext context, ReadOnlyMemory<byte> arguments, CancellationToken cancellationToken)
    {
        if (arguments.IsEmpty)
        {
            context.Write(Pop3Replies.AuthListHeader);
            foreach (var offered in mechanisms.Offered(context))
            {
                Pop3Replies.WriteAscii(context.Output, offered.Name);
            }

            context.Write(Pop3Replies.Terminator);
            return Pop3CommandResult.Completed;
        }

        var span = arguments.Span;
        var space = span.IndexOf((byte)' ');
        var name = space < 0 ? span : span[..space];
        var mechanism = mechanisms.Find(name);
        if (mechanism is null)
        {
            context.Write(name.IsEmpty ? Pop3Replies.AuthSyntax : Pop3Replies.AuthUnknownMechanism);
            return Pop3CommandResult.Failed;
        }

        if (mechanism.SendsPlaintext && !_options.AllowsPlaintext(context.Connection))
        {
            Pop3AuthLog.PlaintextRefused(logger, mechanism.Name);
            context.Write(Pop3Replies.PlaintextRequiresTls);
            return Pop3CommandResult.Failed;
        }

        var exchange = mechanism.Start(context);
        if (space < 0)
        {
            return await StepAsync(context, mechanism, exchange, null, cancellationToken);
        }

        var initial = span[(space + 1)..];
        if (initial.Length == 1 && initial[0] == (byte)'=')
        {
            return await StepAsync(context, mechanism, exchange, ReadOnlyMemory<byte>.Empty, cancellationToken);
        }

        return TryDecode(initial, out var decoded)
            ? await StepAsync(context, mechanism, exchange, decoded, cancellationToken)
            : await guard.FailAsync(context, Pop3LoginFailure.BadBase64, mechanism.Name, null, cancellationToken);
    }

    private async ValueTask<Pop3CommandResult> StepAsync(Pop3SessionContext context, IPop3SaslMechanism mechanism, IPop3SaslExchange exchange, ReadOnlyMemory<byte>? response, CancellationToken cancellationToken)
    {
        var step = await exchange.StepAsync(response, cancellationToken);
        switch (step.Outcome)
        {
            case Pop3SaslOutcome.Challenge:
                WriteChallenge(context, step.Data.Span);
                context.ContinueWith(new Continuation(this, mechanism, exchange, step));
                return Pop3CommandResult.Completed;

            case Pop3SaslOutcome.Succeeded when !step.Data.IsEmpty:
                // RFC 5034 §4: additional data with success goes out as a challenge; the client answers with an empty line.
                WriteChallenge(context, step.Data.Span);
                context.ContinueWith(new Continuation(this, mechanism, exchange, step));
                return Pop3CommandResult.Completed;

            case Pop3SaslOutcome.Succeeded:
                return await context.CompleteLoginAsync(step.User!, step.Mailbox ?? step.User!, cancellationToken);

            case Pop3SaslOutcome.Failed when !step.Data.IsEmpty:
                // RFC 7628 §3.2.2: the error goes out as a challenge; the client answers ^A (or anything) and then fails.
                WriteChallenge(context, step.Data.Span);
                context.ContinueWith(new Continuation(this, mechanism, exchange, step));
                return Pop3CommandResult.Completed;

            case Pop3SaslOutcome.Failed:
                return await guard.FailAsync(context, Pop3LoginFailure.Credentials, mechanism.Name, step.User, cancellationToken);

            case Pop3SaslOutcome.TemporaryFailure:
                guard.GuessNotDecided(context);
                context.Write(Pop3Replies.AuthTemporaryFailure);
                return Pop3CommandResult.Failed;

            default:
                return await guard.FailAsync(context, Pop3LoginFailure.Malformed, mechanism.Name, null, cancellationToken);
        }
    }

    private async ValueTask<Pop3CommandResult> ContinueAsync(Pop3SessionContext context, IPop3SaslMechanism mechanism, IPop3SaslExchange exchange, Pop3SaslStep previous, ReadOnlyMemory<byte> line, CancellationToken cancellationToken)
    {
        if (line.Span is [(byte)'*'])
        {
            return await guard.FailAsync(context, Pop3LoginFailure.Cancelled, mechanism.Name, null, cancellationToken);
        }

        switch (previous.Outcome)
        {
            case Pop3SaslOutcome.Succeeded:
                return line.IsEmpty
                    ? await context.CompleteLoginAsync(previous.User!, previous.Mailbox ?? previous.User!, cancellationToken)
                    : await guard.FailAsync(context, Pop3LoginFailure.Malformed, mechanism.Name, null, cancellationToken);
            case Pop3SaslOutcome.Failed:
                return await guard.FailAsync(context, Pop3LoginFailure.Credentials, mechanism.Name, previous.User, cancellationToken);
        }

        return TryDecode(line.Span, out var decoded)
            ? await StepAsync(context, mechanism, exchange, decoded, cancellationToken)
            : await guard.FailAsync(context, Pop3LoginFailure.BadBase64, mechanism.Name, null, cancellationToken);
    }

    /// <summary>Strict base64 (no spaces, correct padding); an empty line is an empty response.</summary>
    private static bool TryDecode(ReadOnlySpan<byte> base64, out ReadOnlyMemory<byte> decoded)
    {
        // The decoder skips white space; SASL over POP3 allows none, and no missing padding either.
        if (base64.Length % 4 != 0 || base64.ContainsAnyExcept(Base64Alphabet))
        {
            decoded = default;
            return false;
        }

        var buffer = new byte[Base64.GetMaxDecodedFromUtf8Length(base64.Length)];
        var status = Base64.DecodeFromUtf8(base64, buffer, out var consumed, out var written);
        decoded = buffer.AsMemory(0, written);
        return status == OperationStatus.Done && consumed == base64.Length;
    }

    private static readonly SearchValues<byte> Base64Alphabet =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/="u8);

    private static void WriteChallenge(Pop3SessionContext context, ReadOnlySpan<byte> data)
    {
        var output = context.Output;
        var length = Base64.GetMaxEncodedToUtf8Length(data.Length);
        var span = output.GetSpan(length + 4);
        Pop3Replies.SaslChallengePrefix.CopyTo(span);
        Base64.EncodeToUtf8(data, span[2..], out _, out var written);
        span[2 + written] = (byte)'\r';
        span[3 + written] = (byte)'\n';
        output.Advance(written + 4);
    }

    private sealed class Continuation(AuthCommandHandler handler, IPop3SaslMechanism mechanism, IPop3SaslExchange exchange, Pop3SaslStep previous) : IPop3LineContinuation
    {
        public ValueTask<Pop3CommandResult> ContinueAsync(Pop3SessionContext context, ReadOnlyMemory<byte> line, CancellationToken cancellationToken) =>
            handler.ContinueAsync(context, mechanism, exchange, previous, line, cancellationToken);
    }
}
