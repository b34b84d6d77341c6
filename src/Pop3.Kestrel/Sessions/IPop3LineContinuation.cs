namespace Pop3.Kestrel.Sessions;

/// <summary>
/// Takes the next client line instead of the command dispatcher, for exchanges that span several
/// lines (SASL's "+ challenge" / response). Set it with <see cref="Pop3SessionContext.ContinueWith"/>;
/// the session clears it before each call, so set it again to read one more line. A STLS or an over-long line clears it too.
/// </summary>
internal interface IPop3LineContinuation
{
    /// <summary>Handles one line (without CRLF; at most <see cref="Pop3SessionContext.MaxContinuationLineLength"/> octets with it).</summary>
    ValueTask<Pop3CommandResult> ContinueAsync(Pop3SessionContext context, ReadOnlyMemory<byte> line, CancellationToken cancellationToken);
}
