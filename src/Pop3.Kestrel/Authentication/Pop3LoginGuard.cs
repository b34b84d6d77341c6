using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Pop3.Kestrel.Connections;
using Pop3.Kestrel.Protocol;
using Pop3.Kestrel.Sessions;

namespace Pop3.Kestrel.Authentication;

/// <summary>What one connection has done towards logging in: its attempts and its APOP timestamp. Scoped: one per connection.</summary>
internal sealed class Pop3LoginState
{
    /// <summary>Login attempts that ended without a login (failed, cancelled or malformed).</summary>
    public int Attempts { get; set; }

    /// <summary>The <c>&lt;...&gt;</c> timestamp sent in this connection's greeting, when APOP is offered.</summary>
    public string? ApopTimestamp { get; set; }
}

/// <summary>Why a login attempt ended without a login.</summary>
internal enum Pop3LoginFailure
{
    /// <summary>Wrong credentials (or an unknown user, which looks the same): <c>-ERR [AUTH]</c> after the failure delay.</summary>
    Credentials,

    /// <summary>The client sent <c>*</c>.</summary>
    Cancelled,

    /// <summary>A SASL response was not base64.</summary>
    BadBase64,

    /// <summary>A SASL response did not follow the mechanism's syntax.</summary>
    Malformed,
}

/// <summary>
/// The rules every login path (USER/PASS, APOP, AUTH) shares: a failure waits the per-address delay, counts against
/// <see cref="Pop3AuthenticationOptions.MaxAttempts"/> and, at the last attempt, closes the connection; a success is
/// checked against LOGIN-DELAY and the per user+address limit before the maildrop is opened.
/// </summary>
internal sealed class Pop3LoginGuard(
    IOptions<Pop3AuthenticationOptions> options,
    Pop3LoginThrottle throttle,
    Pop3ConnectionGate gate,
    IPop3LoginHistory history,
    TimeProvider time,
    ILogger<Pop3LoginGuard> logger)
{
    private readonly Pop3AuthenticationOptions _options = options.Value;

    /// <summary>Writes the reply to a failed attempt, after the failure delay for wrong credentials. Returns Failed, or Close after the last attempt.</summary>
    public async ValueTask<Pop3CommandResult> FailAsync(Pop3SessionContext context, Pop3LoginFailure failure, string method, string? user, CancellationToken cancellationToken)
    {
        var state = context.Services.GetRequiredService<Pop3LoginState>();
        var attempt = ++state.Attempts;
        if (failure == Pop3LoginFailure.Credentials)
        {
            Pop3AuthLog.AuthenticationFailed(logger, method, attempt);
            if (user is not null)
            {
                Pop3AuthLog.AuthenticationFailedFor(logger, method, user);
            }

            var delay = throttle.RecordFailure(context.Connection.RemoteAddress);
            if (delay > TimeSpan.Zero)
            {
                await Task.Delay(delay, time, cancellationToken);
            }
        }

        if (attempt >= _options.MaxAttempts)
        {
            Pop3AuthLog.TooManyAttempts(logger, failure.ToString(), method, attempt);
            context.Write(Pop3Replies.TooManyAttempts);
            return Pop3CommandResult.Close;
        }

        context.Write(failure switch
        {
            Pop3LoginFailure.Cancelled => Pop3Replies.AuthCancelled,
            Pop3LoginFailure.BadBase64 => Pop3Replies.AuthBadBase64,
            Pop3LoginFailure.Malformed => Pop3Replies.AuthMalformed,
            _ => Pop3Replies.AuthFailed,
        });
        return Pop3CommandResult.Failed;
    }

    /// <summary>
    /// After the credentials are proven, before the maildrop is opened: clears the address's failures, then enforces
    /// LOGIN-DELAY and the per user+address limit. On refusal the reply is written and false returned.
    /// </summary>
    public async ValueTask<bool> BeforeOpenAsync(Pop3SessionContext context, string user, int loginDelaySeconds, CancellationToken cancellationToken)
    {
        throttle.RecordSuccess(context.Connection.RemoteAddress);
        if (loginDelaySeconds > 0
            && await history.GetLastLoginAsync(user, cancellationToken) is { } last
            && time.GetUtcNow() - last < TimeSpan.FromSeconds(loginDelaySeconds))
        {
            Pop3AuthLog.LoginDelayRefused(logger, user, loginDelaySeconds);
            context.Write(Pop3Replies.LoginDelay);
            return false;
        }

        if (!gate.TryBindUser(context.Connection, user))
        {
            Pop3AuthLog.TooManyUserConnections(logger, user);
            context.Write(Pop3Replies.TooManyUserConnections);
            return false;
        }

        return true;
    }

    /// <summary>The maildrop could not be opened: the login did not happen.</summary>
    public void OpenFailed(Pop3SessionContext context) => gate.UnbindUser(context.Connection);

    /// <summary>The login happened: remembered for LOGIN-DELAY.</summary>
    public ValueTask LoggedInAsync(string user, CancellationToken cancellationToken) =>
        history.RecordLoginAsync(user, time.GetUtcNow(), cancellationToken);
}
