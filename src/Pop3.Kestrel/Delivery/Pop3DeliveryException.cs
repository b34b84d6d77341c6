namespace Pop3.Kestrel.Delivery;

/// <summary>
/// An <see cref="IPop3MailDelivery"/> did not store the message. Made by <see cref="Temporary"/>,
/// <see cref="InsufficientStorage"/>, <see cref="MailboxUnavailable"/> or <see cref="FromIOException"/>, which decide
/// what the sender is told and whether it tries again.
/// </summary>
public sealed class Pop3DeliveryException : Exception
{
    internal Pop3DeliveryException(Pop3DeliveryFailure failure, string message, Exception? inner = null)
        : base(message, inner)
    {
        Failure = failure;
    }

    /// <summary>Why the message was not stored.</summary>
    internal Pop3DeliveryFailure Failure { get; }

    /// <summary>The store could not be reached or failed; the sender tries again later (LMTP <c>451 4.3.0</c>).</summary>
    public static Pop3DeliveryException Temporary(string message, Exception? inner = null) =>
        new(Pop3DeliveryFailure.Temporary, message, inner);

    /// <summary>The store is out of space or over quota; the sender tries again later (LMTP <c>452 4.2.2</c>).</summary>
    public static Pop3DeliveryException InsufficientStorage(string message, Exception? inner = null) =>
        new(Pop3DeliveryFailure.InsufficientStorage, message, inner);

    /// <summary>The mailbox can never take this message, such as a name the store cannot hold (LMTP <c>550 5.1.1</c>).</summary>
    public static Pop3DeliveryException MailboxUnavailable(string message, Exception? inner = null) =>
        new(Pop3DeliveryFailure.MailboxUnavailable, message, inner);

    /// <summary>
    /// <see cref="InsufficientStorage"/> for a disk that is full or a quota that is exceeded (ENOSPC, EDQUOT, or their
    /// Windows codes), otherwise <see cref="Temporary"/>: for stores on files.
    /// </summary>
    public static Pop3DeliveryException FromIOException(IOException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var full = (exception.HResult & 0xFFFF) switch
        {
            28 or 122 => true, // ENOSPC, EDQUOT
            0x70 or 0x27 => true, // ERROR_DISK_FULL, ERROR_HANDLE_DISK_FULL
            _ => false,
        };
        return new(full ? Pop3DeliveryFailure.InsufficientStorage : Pop3DeliveryFailure.Temporary, exception.Message, exception);
    }
}
