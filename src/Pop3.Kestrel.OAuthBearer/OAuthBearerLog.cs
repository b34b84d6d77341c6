using Microsoft.Extensions.Logging;

namespace Pop3.Kestrel.OAuthBearer;

/// <summary>Log lines of bearer-token logins. None of them carries a token. The event ids are those the core used before the package split.</summary>
internal static partial class OAuthBearerLog
{
    [LoggerMessage(107, LogLevel.Debug, "Bearer token rejected: {Reason}")]
    public static partial void TokenRejected(ILogger logger, string reason);

    [LoggerMessage(108, LogLevel.Error, "The OAuth signing keys could not be read from {Source}")]
    public static partial void SigningKeysUnreadable(ILogger logger, Exception exception, string source);
}
