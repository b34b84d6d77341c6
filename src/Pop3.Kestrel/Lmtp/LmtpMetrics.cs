using System.Diagnostics.Metrics;
using Pop3.Kestrel.Delivery;

namespace Pop3.Kestrel.Lmtp;

/// <summary>LMTP's instruments, on the server's <c>Pop3.Kestrel</c> meter beside the POP3 ones. Tag values are fixed strings.</summary>
internal sealed class LmtpMetrics
{
    private static readonly double[] LatencyBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

    private readonly UpDownCounter<long> _activeSessions;
    private readonly Counter<long> _deliveries;
    private readonly Counter<long> _bytes;
    private readonly Counter<long> _refusedRecipients;
    private readonly Histogram<double> _duration;

    public LmtpMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(Diagnostics.Pop3Metrics.MeterName);
        _activeSessions = meter.CreateUpDownCounter<long>("lmtp.sessions.active", "{session}", "LMTP sessions now connected.");
        _deliveries = meter.CreateCounter<long>("lmtp.deliveries", "{delivery}",
            "Messages handed to the store, one per recipient, by result (lmtp.result: delivered, too_big, temporary_failure, insufficient_storage, mailbox_unavailable).");
        _bytes = meter.CreateCounter<long>("lmtp.delivered.bytes", "By", "Octets stored by LMTP deliveries, counted once per recipient.");
        _refusedRecipients = meter.CreateCounter<long>("lmtp.recipients.refused", "{recipient}",
            "RCPT TO refused, by reason (lmtp.reason: unknown_user, too_many, lookup_failed).");
        _duration = meter.CreateHistogram("lmtp.delivery.duration", "s", "Time to store one recipient's copy until it is durable.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = LatencyBuckets });
    }

    public void SessionStarted() => _activeSessions.Add(1);

    public void SessionEnded() => _activeSessions.Add(-1);

    public void Delivered(long bytes, TimeSpan elapsed)
    {
        _deliveries.Add(1, new KeyValuePair<string, object?>("lmtp.result", "delivered"));
        _bytes.Add(bytes);
        _duration.Record(elapsed.TotalSeconds);
    }

    public void NotDelivered(string result) => _deliveries.Add(1, new KeyValuePair<string, object?>("lmtp.result", result));

    public static string ResultOf(Pop3DeliveryFailure failure) => failure switch
    {
        Pop3DeliveryFailure.InsufficientStorage => "insufficient_storage",
        Pop3DeliveryFailure.MailboxUnavailable => "mailbox_unavailable",
        _ => "temporary_failure",
    };

    public void RecipientRefused(string reason) => _refusedRecipients.Add(1, new KeyValuePair<string, object?>("lmtp.reason", reason));
}
