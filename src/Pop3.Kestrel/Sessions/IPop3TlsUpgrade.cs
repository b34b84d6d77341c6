namespace Pop3.Kestrel.Sessions;

/// <summary>Upgrades the connection to TLS in place (STLS, RFC 2595 §4). Supplied by the host per connection.</summary>
internal interface IPop3TlsUpgrade
{
    /// <summary>True if a certificate is available for this connection.</summary>
    bool IsAvailable { get; }

    /// <summary>
    /// Runs the server side of the handshake over the current transport and returns the encrypted
    /// transport, or null if the handshake failed (the connection is then closed).
    /// </summary>
    ValueTask<System.IO.Pipelines.IDuplexPipe?> UpgradeAsync(CancellationToken cancellationToken);
}
