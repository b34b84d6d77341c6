using Microsoft.Extensions.Logging;
using Pop3.Kestrel.Connections;

namespace Pop3.Kestrel.Authentication;

/// <summary>
/// Log messages of logins and limits. No password, digest, token or SASL response is ever an argument, and at
/// Information level nothing tells whether a user name exists: attempted names appear at Debug only.
/// </summary>
internal static partial class Pop3AuthLog
{
    [LoggerMessage(100, LogLevel.Warning, "Address {Address} banned for {Seconds} s after {Failures} failed logins")]
    public static partial void AddressBanned(ILogger logger, string address, int failures, long seconds);

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

    [LoggerMessage(107, LogLevel.Debug, "Bearer token rejected: {Reason}")]
    public static partial void TokenRejected(ILogger logger, string reason);

    [LoggerMessage(108, LogLevel.Error, "The OAuth signing keys could not be read from {Source}")]
    public static partial void SigningKeysUnreadable(ILogger logger, Exception exception, string source);

    [LoggerMessage(109, LogLevel.Information, "Authentication {Outcome} ({Method}) after {Attempts} attempts on this connection; closing")]
    public static partial void TooManyAttempts(ILogger logger, string outcome, string method, int attempts);
}
