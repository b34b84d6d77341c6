namespace Pop3.Kestrel.Delivery;

/// <summary>
/// Stores incoming mail in a mailbox of the configured store: what LMTP (and the <c>deliver</c> command) hand each
/// message to. A singleton; called concurrently for different messages.
/// </summary>
public interface IPop3MailDelivery
{
    /// <summary>
    /// Stores <paramref name="message"/> byte for byte as a new message of <paramref name="mailbox"/> and returns only
    /// once it is durable (synced to disk, or committed): the caller then tells the sender it was delivered. Throws
    /// <see cref="Pop3DeliveryException"/> when the store refuses or is unavailable; any other exception is treated as
    /// a temporary failure. The stream is read from its current position and is not disposed.
    /// </summary>
    Task DeliverAsync(string mailbox, Stream message, CancellationToken cancellationToken);
}
