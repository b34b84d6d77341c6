using Microsoft.Extensions.Logging;

namespace Pop3.Kestrel.Lmtp;

/// <summary>The LMTP listener's log lines. Addresses are logged as mail servers log them; message contents never are.</summary>
internal static partial class LmtpLog
{
    [LoggerMessage(700, LogLevel.Information, "LMTP listening on {EndPoint} (Pop3:Lmtp:Endpoints:{Name})")]
    public static partial void Listening(this ILogger logger, string endPoint, string name);

    [LoggerMessage(701, LogLevel.Debug, "LMTP session started from {Remote}")]
    public static partial void SessionStarted(this ILogger logger, string? remote);

    [LoggerMessage(702, LogLevel.Information, "LMTP delivered {Size} octets to mailbox {Mailbox} (recipient {Recipient}) in {Milliseconds} ms")]
    public static partial void Delivered(this ILogger logger, long size, string mailbox, string recipient, long milliseconds);

    [LoggerMessage(703, LogLevel.Warning, "LMTP delivery to mailbox {Mailbox} failed ({Failure}); the sender keeps the message: {Reason}")]
    public static partial void DeliveryFailed(this ILogger logger, string mailbox, Delivery.Pop3DeliveryFailure failure, string reason);

    [LoggerMessage(704, LogLevel.Error, "LMTP delivery to mailbox {Mailbox} failed unexpectedly; the sender keeps the message")]
    public static partial void DeliveryCrashed(this ILogger logger, string mailbox, Exception exception);

    [LoggerMessage(705, LogLevel.Information, "LMTP recipient {Recipient} refused: no such user ({User})")]
    public static partial void UnknownRecipient(this ILogger logger, string recipient, string user);

    [LoggerMessage(706, LogLevel.Warning, "LMTP recipient {Recipient}: the user directory could not be asked; the sender will try again")]
    public static partial void LookupFailed(this ILogger logger, string recipient, Exception exception);

    [LoggerMessage(707, LogLevel.Information, "LMTP message of {Size} octets refused: larger than Pop3:Lmtp:MaxMessageSize ({Limit})")]
    public static partial void TooBig(this ILogger logger, long size, long limit);

    [LoggerMessage(708, LogLevel.Information, "LMTP session ended ({End}) after {Milliseconds} ms: {Messages} messages, {Delivered} deliveries, {Refused} refused")]
    public static partial void SessionEnded(this ILogger logger, LmtpSessionEnd end, long milliseconds, int messages, int delivered, int refused);

    [LoggerMessage(709, LogLevel.Error, "LMTP session failed")]
    public static partial void SessionFailed(this ILogger logger, Exception exception);
}
