using Microsoft.Extensions.Logging;
using Pop3.Kestrel.Protocol;
using Pop3.Kestrel.Sessions;

namespace Pop3.Kestrel.Diagnostics;

/// <summary>Every log message of the server, source-generated. Secrets are never arguments here.</summary>
internal static partial class Pop3Log
{
    [LoggerMessage(1, LogLevel.Debug, "Session started from {RemoteEndPoint}")]
    public static partial void SessionStarted(this ILogger logger, string? remoteEndPoint);

    [LoggerMessage(2, LogLevel.Information,
        "Disconnected ({End}): user={User} commands={Commands} top={Topped} retr={Retrieved}/{RetrievedBytes} del={Deleted}/{DeletedBytes} duration={DurationMs}ms")]
    public static partial void SessionEnded(this ILogger logger, Pop3SessionEnd end, string? user, int commands, int topped,
        int retrieved, long retrievedBytes, int deleted, long deletedBytes, long durationMs);

    [LoggerMessage(3, LogLevel.Debug, "Command {Command} in {State}")]
    public static partial void CommandReceived(this ILogger logger, string command, Pop3SessionState state);

    [LoggerMessage(4, LogLevel.Debug, "Command {Command} -> {Result}")]
    public static partial void CommandCompleted(this ILogger logger, string command, Pop3CommandResult result);

    [LoggerMessage(5, LogLevel.Error, "Session failed unexpectedly; closing without UPDATE")]
    public static partial void SessionFailed(this ILogger logger, Exception exception);

    [LoggerMessage(6, LogLevel.Error, "Committing {Count} deletions failed; the client was told and nothing unmarked was removed")]
    public static partial void CommitFailed(this ILogger logger, Exception exception, int count);

    [LoggerMessage(7, LogLevel.Warning, "Message {Number} could not be read")]
    public static partial void MessageUnreadable(this ILogger logger, Exception exception, int number);

    [LoggerMessage(8, LogLevel.Debug, "A command line over the limit was discarded")]
    public static partial void LineTooLong(this ILogger logger);

    [LoggerMessage(9, LogLevel.Information, "POP3 listening on {EndPoint} (Pop3:Endpoints:{Name}, {Tls})")]
    public static partial void Listening(this ILogger logger, string endPoint, string name, string tls);

    [LoggerMessage(10, LogLevel.Warning, "A session hook failed")]
    public static partial void HookFailed(this ILogger logger, Exception exception);

    [LoggerMessage(11, LogLevel.Warning, "Created a self-signed development certificate for localhost at {Path}; set Pop3:Certificate:Path for production")]
    public static partial void DevelopmentCertificateCreated(this ILogger logger, string path);

    [LoggerMessage(12, LogLevel.Information, "Certificate {Path} reloaded: {Subject}, valid until {NotAfter}")]
    public static partial void CertificateReloaded(this ILogger logger, string? path, string subject, DateTime notAfter);

    [LoggerMessage(13, LogLevel.Error, "Certificate {Path} could not be loaded; the previous certificate stays in use")]
    public static partial void CertificateReloadFailed(this ILogger logger, Exception exception, string? path);

    [LoggerMessage(14, LogLevel.Information, "TLS handshake failed: {Reason}")]
    public static partial void TlsHandshakeFailed(this ILogger logger, string reason);
}
