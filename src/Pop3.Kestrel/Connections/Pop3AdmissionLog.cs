using System.Net;
using Microsoft.Extensions.Logging;

namespace Pop3.Kestrel.Connections;

/// <summary>
/// The gate's events, one line per refusal or eviction with the client address first, so a log watcher
/// (fail2ban, CrowdSec) can match on <c>Connection from {Address} evicted</c> / <c>refused</c>.
/// </summary>
internal static partial class Pop3AdmissionLog
{
    [LoggerMessage(120, LogLevel.Information, "Connection from {Address} evicted: {Reason} (connection {EvictedConnectionId})")]
    public static partial void ConnectionEvicted(ILogger logger, IPAddress address, Pop3EvictionReason reason, string evictedConnectionId);

    [LoggerMessage(121, LogLevel.Information, "Connection from {Address} refused: {Reason}")]
    public static partial void ConnectionRefused(ILogger logger, IPAddress address, Pop3ConnectionRefusal reason);
}
