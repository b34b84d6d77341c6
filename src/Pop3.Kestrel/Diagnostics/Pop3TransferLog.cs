using Microsoft.Extensions.Logging;

namespace Pop3.Kestrel.Diagnostics;

/// <summary>Log messages about a message transfer that did not finish.</summary>
internal static partial class Pop3TransferLog
{
    [LoggerMessage(40, LogLevel.Warning,
        "Shutdown cut RETR of message {Number} for user {User} after {Sent} of {Total} octets (Pop3:DrainTimeout {DrainTimeout}); the message stays in the maildrop")]
    public static partial void TransferCutByShutdown(this ILogger logger, int number, string? user, long sent, long total, TimeSpan drainTimeout);
}
