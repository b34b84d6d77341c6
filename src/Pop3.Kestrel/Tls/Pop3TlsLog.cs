using Microsoft.Extensions.Logging;

namespace Pop3.Kestrel.Tls;

/// <summary>The TLS settings' own log messages, source-generated.</summary>
internal static partial class Pop3TlsLog
{
    [LoggerMessage(1800, LogLevel.Warning,
        "Pop3:TlsMinimumVersion is {Version}: TLS 1.0 and 1.1 are broken protocols, allowed only for clients that cannot do better; " +
        "their handshakes run at OpenSSL security level 0 with CBC cipher suites")]
    public static partial void LegacyTlsAllowed(this ILogger logger, string version);
}
