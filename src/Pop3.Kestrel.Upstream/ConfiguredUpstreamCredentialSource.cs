using Microsoft.Extensions.Options;

namespace Pop3.Kestrel.Upstream;

/// <summary>
/// The default credential source: <c>Pop3:Upstream:Password</c> when set, otherwise the client's own password passed
/// through; a login that carried no reusable password (APOP, CRAM-MD5, SCRAM) is refused, saying which logins work.
/// </summary>
internal sealed class ConfiguredUpstreamCredentialSource(IOptions<UpstreamOptions> options) : IUpstreamCredentialSource
{
    /// <summary>What the client reads when it logged in with a mechanism whose password cannot be passed on.</summary>
    public const string NoPasswordMessage = "This mailbox needs a login that carries the password: USER/PASS, AUTH PLAIN or AUTH LOGIN";

    public ValueTask<UpstreamCredential> GetCredentialAsync(UpstreamLogin login, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(login);
        var configured = options.Value.Password;
        return ValueTask.FromResult(
            !string.IsNullOrEmpty(configured) ? UpstreamCredential.FromPassword(configured)
            : login.ClientPassword is { } password ? UpstreamCredential.FromPassword(password)
            : UpstreamCredential.Refused(NoPasswordMessage));
    }
}
