namespace Pop3.Kestrel.Delivery;

/// <summary>An <see cref="IPop3MailDelivery"/> did not store the message; <see cref="Failure"/> says why.</summary>
public sealed class Pop3DeliveryException : Exception
{
    /// <summary>A failure of kind <paramref name="failure"/>, described by <paramref name="message"/>, caused by <paramref name="inner"/>.</summary>
    public Pop3DeliveryException(Pop3DeliveryFailure failure, string message, Exception? inner = null)
        : base(message, inner)
    {
        Failure = failure;
    }

    /// <summary>Why the message was not stored.</summary>
    public Pop3DeliveryFailure Failure { get; }

    /// <summary>
    /// <see cref="Pop3DeliveryFailure.InsufficientStorage"/> for a disk that is full or a quota that is exceeded (ENOSPC,
    /// EDQUOT, or their Windows codes), otherwise <see cref="Pop3DeliveryFailure.Temporary"/>: for stores on files.
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
