namespace Pop3.Kestrel.Upstream;

/// <summary>A local login the gateway is about to take upstream.</summary>
/// <param name="LocalUser">The mailbox name the local authenticator gave (its canonical user name).</param>
/// <param name="UpstreamUser">The upstream user name: <c>Pop3:Upstream:User</c> with <c>{user}</c> replaced, or the local name.</param>
/// <param name="ClientPassword">
/// The password the client logged in with (USER/PASS, AUTH PLAIN, AUTH LOGIN); null after a login that carries no reusable
/// password (APOP, CRAM-MD5, SCRAM, OAUTHBEARER).
/// </param>
public sealed record UpstreamLogin(string LocalUser, string UpstreamUser, string? ClientPassword)
{
    /// <summary>The names, and whether a client password is known; never the password.</summary>
    public override string ToString() =>
        $"UpstreamLogin {{ LocalUser = {LocalUser}, UpstreamUser = {UpstreamUser}, ClientPassword = {(ClientPassword is null ? "none" : "(redacted)")} }}";
}
