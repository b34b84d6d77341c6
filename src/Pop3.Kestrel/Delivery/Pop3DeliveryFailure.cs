namespace Pop3.Kestrel.Delivery;

/// <summary>Why a delivery failed, which decides what the sender is told (and whether it tries again).</summary>
internal enum Pop3DeliveryFailure
{
    /// <summary>The store could not be reached or failed; try again later (LMTP <c>451 4.3.0</c>).</summary>
    Temporary,

    /// <summary>The store is out of space or over quota; try again later (LMTP <c>452 4.2.2</c>).</summary>
    InsufficientStorage,

    /// <summary>The mailbox can never take this message, such as a name the store cannot hold (LMTP <c>550 5.1.1</c>).</summary>
    MailboxUnavailable,
}
