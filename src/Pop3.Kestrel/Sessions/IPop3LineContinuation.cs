namespace Pop3.Kestrel.Sessions;

/// <summary>
/// Takes the next client line instead of the command dispatcher, for exchanges that span several
/// lines (SASL's "+ challenge" / response). Set it with <see cref="Pop3SessionContext.Continuation"/>;
/// the session clears it before each call, so set it again to read one more line.
/// </summary>
public interface IPop3LineContinuation
{
    /// <summary>Handles one line (without CRLF; at most <see cref="Pop3SessionContext.MaxContinuationLineLength"/> octets with it).</summary>
    ValueTask<Pop3CommandResult> ContinueAsync(Pop3SessionContext context, ReadOnlyMemory<byte> line, CancellationToken cancellationToken);
}

/// <summary>Upgrades the connection to TLS in place (STLS, RFC 2595 §4). Supplied by the host per connection.</summary>
public interface IPop3TlsUpgrade
{
    /// <summary>True if a certificate is available for this connection.</summary>
    bool IsAvailable { get; }

    /// <summary>
    /// Runs the server side of the handshake over the current transport and returns the encrypted
    /// transport, or null if the handshake failed (the connection is then closed).
    /// </summary>
    ValueTask<System.IO.Pipelines.IDuplexPipe?> UpgradeAsync(CancellationToken cancellationToken);
}
