using System.Buffers;
using System.IO.Pipelines;
using Microsoft.Extensions.Logging;
using Pop3.Kestrel.Delivery;

namespace Pop3.Kestrel.Lmtp;

/// <summary>
/// One LMTP conversation's state as the verb handlers see it (RFC 5321 §3.3 over RFC 2033): whether LHLO came, the
/// sender, the accepted recipients, the message being received, what the session did so far; and the services the
/// handlers use. The state changes only through the methods that say what they change.
/// </summary>
internal sealed class LmtpSessionContext(
    Pop3LmtpOptions options,
    LmtpReplies replies,
    IPop3UserDirectory users,
    IPop3MailDelivery delivery,
    TimeProvider time,
    ILogger logger,
    LmtpMetrics? metrics,
    LmtpMessageReceiver message,
    PipeWriter output)
{
    private readonly List<LmtpRecipient> _recipients = [];

    public Pop3LmtpOptions Options => options;

    public LmtpReplies Replies => replies;

    public IPop3UserDirectory Users => users;

    public IPop3MailDelivery Delivery => delivery;

    public TimeProvider Time => time;

    public ILogger Logger => logger;

    public LmtpMetrics? Metrics => metrics;

    /// <summary>Where replies go; the session flushes once per batch.</summary>
    public PipeWriter Output => output;

    /// <summary>True once LHLO was accepted.</summary>
    public bool Greeted { get; private set; }

    /// <summary>True once MAIL was accepted in this transaction.</summary>
    public bool HasSender { get; private set; }

    /// <summary>The recipients accepted in this transaction, in RCPT order.</summary>
    public IReadOnlyList<LmtpRecipient> Recipients => _recipients;

    /// <summary>True between DATA's 354 and the final dot: the session feeds the input to <see cref="Message"/>.</summary>
    public bool Receiving { get; private set; }

    /// <summary>The message of this transaction, as it arrives.</summary>
    public LmtpMessageReceiver Message => message;

    /// <summary>Messages whose data the client started sending.</summary>
    public int Messages { get; private set; }

    /// <summary>Copies stored for a recipient.</summary>
    public int Delivered { get; private set; }

    /// <summary>Recipients refused as unknown.</summary>
    public int Refused { get; private set; }

    public void Write(ReadOnlySpan<byte> reply) => Output.Write(reply);

    /// <summary>LHLO: a new conversation, as if nothing had been said.</summary>
    public void Greet()
    {
        ResetTransaction();
        Greeted = true;
    }

    public void SenderAccepted() => HasSender = true;

    public void RecipientAccepted(LmtpRecipient recipient) => _recipients.Add(recipient);

    public void RecipientUnknown() => Refused++;

    /// <summary>DATA was accepted: what follows is message data, up to the final dot.</summary>
    public void StartMessage()
    {
        Receiving = true;
        message.Start();
        Messages++;
    }

    /// <summary>The final dot came.</summary>
    public void EndMessage() => Receiving = false;

    public void CopyDelivered() => Delivered++;

    /// <summary>Forgets the sender and the recipients (RSET, LHLO, the end of a message).</summary>
    public void ResetTransaction()
    {
        HasSender = false;
        _recipients.Clear();
    }
}
