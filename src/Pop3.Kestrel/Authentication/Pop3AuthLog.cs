using Microsoft.Extensions.Logging;
using Pop3.Kestrel.Connections;

namespace Pop3.Kestrel.Authentication;

/// <summary>
/// Log messages of logins and limits. No password, digest, token or SASL response is ever an argument, and at
/// Information level nothing tells whether a user name exists: attempted names appear at Debug only.
/// </summary>
internal static partial class Pop3AuthLog
{
    // The guess events (100, 110-113) share one shape, "<event>: address=A key=K user=U reason=R ...", that a log
    // watcher matches (docs/robustness.md has the fail2ban filter and the CrowdSec pattern; a test holds them to
    // these lines). address is the client's own address (unknown for an operator's action: "-"), key what the
    // limits count (an IPv6 client's /64). A guess that merely failed names no user at Information level; a
    // refusal or a lockout does, since it is about that name.
    [LoggerMessage(100, LogLevel.Warning, "Address banned: address={Address} key={Key} user=- reason=failures failures={Failures} seconds={Seconds}")]
    public static partial void AddressBanned(ILogger logger, string address, string key, int failures, long seconds);

    [LoggerMessage(110, LogLevel.Information, "Login guess failed: address={Address} key={Key} user=- reason=credentials delay_ms={DelayMs}")]
    public static partial void GuessFailed(ILogger logger, string address, string key, long delayMs);

    [LoggerMessage(111, LogLevel.Warning, "Login guess refused: address={Address} key={Key} user={User} reason={Reason}")]
    public static partial void GuessRefused(ILogger logger, string address, string key, string user, string reason);

    [LoggerMessage(112, LogLevel.Warning, "User locked out: address={Address} key={Key} user={User} reason=failures failures={Failures} seconds={Seconds}")]
    public static partial void UserLockedOut(ILogger logger, string address, string key, string user, int failures, long seconds);

    [LoggerMessage(113, LogLevel.Information, "Ban lifted: address=- key={Key} user=- reason=operator")]
    public static partial void BanLifted(ILogger logger, string key);

    [LoggerMessage(117, LogLevel.Information, "Lockout lifted: address=- key=- user={User} reason=operator")]
    public static partial void LockoutLifted(ILogger logger, string user);

    [LoggerMessage(114, LogLevel.Warning, "The login state file {Path} could not be read; starting without its bans and familiar addresses: {Reason}")]
    public static partial void StateFileUnreadable(ILogger logger, string path, string reason);

    [LoggerMessage(115, LogLevel.Error, "The login state file {Path} could not be written: {Reason}")]
    public static partial void StateFileNotWritten(ILogger logger, string path, string reason);

    [LoggerMessage(116, LogLevel.Warning, "The lockout store could not be asked ({Operation}); going on with what this node knows")]
    public static partial void LockoutStoreFailed(ILogger logger, Exception exception, string operation);

    [LoggerMessage(118, LogLevel.Error, "The shared guess counters could not be asked ({Operation}); guesses are refused unchecked until they answer")]
    public static partial void GuessCountersFailed(ILogger logger, Exception exception, string operation);

    [LoggerMessage(119, LogLevel.Error, "The login history could not be asked ({Operation}) for LOGIN-DELAY")]
    public static partial void LoginHistoryFailed(ILogger logger, Exception exception, string operation);

    [LoggerMessage(101, LogLevel.Information, "Connection refused: {Reason}")]
    public static partial void ConnectionRefused(ILogger logger, Pop3ConnectionRefusal reason);

    [LoggerMessage(102, LogLevel.Information, "Authentication failed ({Method}), attempt {Attempt} on this connection")]
    public static partial void AuthenticationFailed(ILogger logger, string method, int attempt);

    [LoggerMessage(103, LogLevel.Debug, "Authentication failed ({Method}) for user name {User}")]
    public static partial void AuthenticationFailedFor(ILogger logger, string method, string user);

    [LoggerMessage(104, LogLevel.Information, "Login of {User} refused: LOGIN-DELAY of {Seconds} s not yet over")]
    public static partial void LoginDelayRefused(ILogger logger, string user, int seconds);

    [LoggerMessage(105, LogLevel.Information, "Login of {User} refused: too many sessions of this user from this address")]
    public static partial void TooManyUserConnections(ILogger logger, string user);

    [LoggerMessage(106, LogLevel.Debug, "Plaintext authentication refused on a connection without TLS ({Method})")]
    public static partial void PlaintextRefused(ILogger logger, string method);

    // 107 and 108 are the bearer-token messages of the OAuthBearer package (OAuthBearerLog).

    [LoggerMessage(109, LogLevel.Information, "Authentication {Outcome} ({Method}) after {Attempts} attempts on this connection; closing")]
    public static partial void TooManyAttempts(ILogger logger, string outcome, string method, int attempts);
}
