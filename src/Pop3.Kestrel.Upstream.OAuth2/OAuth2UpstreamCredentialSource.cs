using MailKit.Security;
using Microsoft.Extensions.Options;

namespace Pop3.Kestrel.Upstream.OAuth2;

/// <summary>
/// The upstream login with an access token: XOAUTH2 or OAUTHBEARER as the upstream identity (<see cref="OAuth2Options.Users"/>,
/// else the upstream backend's <c>Pop3:Upstream:User</c> mapping). A user whose mailbox must be (re)connected is refused
/// (<c>-ERR [AUTH]</c> naming the connect page); an authorization server that cannot answer is a temporary failure.
/// </summary>
internal sealed class OAuth2UpstreamCredentialSource(OAuth2TokenSource tokens, IOptions<OAuth2Options> options) : IUpstreamCredentialSource
{
    public async ValueTask<UpstreamCredential> GetCredentialAsync(UpstreamLogin login, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(login);
        var result = await tokens.GetAccessTokenAsync(login.LocalUser, cancellationToken);
        if (result.Status != OAuth2AccessStatus.Granted)
        {
            return result.Status == OAuth2AccessStatus.ReconnectRequired
                ? UpstreamCredential.Refused(result.Reason!)
                : UpstreamCredential.Unavailable(result.Reason!);
        }

        var user = tokens.MappedUser(login.LocalUser) ?? login.UpstreamUser;
        SaslMechanism mechanism = options.Value.Mechanism == OAuth2Mechanism.OAuthBearer
            ? new SaslMechanismOAuthBearer(user, result.AccessToken!)
            : new SaslMechanismOAuth2(user, result.AccessToken!);
        return UpstreamCredential.FromSasl(mechanism);
    }
}
