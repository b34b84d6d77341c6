using Pop3.Kestrel.Protocol;

namespace Pop3.Kestrel.Maildrops;

/// <summary>One message as a backend lists it.</summary>
/// <param name="Id">
/// The backend's unique, stable id, used for UIDL. If it is not 1–70 characters in 0x21–0x7E or not
/// unique in the mailbox, the framework serves a stable hash of it instead.
/// </param>
/// <param name="Size">
/// The POP3 size: octets with CRLF line endings, before dot-stuffing, a missing final CRLF counted.
/// Null when the backend does not know it; the framework then measures the message once.
/// </param>
/// <param name="Key">Anything the backend wants back in <see cref="IMaildrop.OpenMessageAsync"/> (a path, a row id).</param>
public sealed record MaildropMessage(string Id, long? Size, object? Key = null)
{
    /// <summary>
    /// The POP3 size of a message's raw bytes (what <see cref="Size"/> holds), measured by the rules the framework
    /// sends it with: for a store that records sizes at delivery.
    /// </summary>
    public static long MeasureSize(ReadOnlySpan<byte> message) => Pop3MessageWriter.Measure(message);

    /// <summary>The POP3 size of a message read to its end from <paramref name="message"/>; see <see cref="MeasureSize(ReadOnlySpan{byte})"/>.</summary>
    public static ValueTask<long> MeasureSizeAsync(Stream message, CancellationToken cancellationToken) =>
        Pop3MessageWriter.MeasureAsync(message, cancellationToken);
}
