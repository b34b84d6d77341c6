namespace Pop3.Kestrel.Upstream;

/// <summary>
/// Decides what the gateway presents to the upstream server for a local login: a password, a SASL mechanism (an
/// OAuth 2.0 access token, say), or a refusal the client sees. Asked once each time a maildrop opens, after the local
/// login succeeded. The default (registered by <c>AddPop3Upstream</c> unless one is registered before it) uses
/// <c>Pop3:Upstream:Password</c>, or the client's own password when that is empty. Register your own to replace it.
/// </summary>
/// <remarks>May be called concurrently from many sessions: register it as a singleton that is thread-safe, or as scoped.</remarks>
public interface IUpstreamCredentialSource
{
    /// <summary>The credential for <paramref name="login"/>. A failure should be returned, not thrown; an exception is logged and the client gets <c>-ERR [SYS/TEMP]</c>.</summary>
    ValueTask<UpstreamCredential> GetCredentialAsync(UpstreamLogin login, CancellationToken cancellationToken);
}
