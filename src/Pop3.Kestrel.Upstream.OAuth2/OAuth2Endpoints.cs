using Duende.IdentityModel.Client;
using Microsoft.Extensions.Options;

namespace Pop3.Kestrel.Upstream.OAuth2;

/// <summary>
/// The authorization server's token and authorization endpoints: configured, or read once from discovery
/// (<c>/.well-known/openid-configuration</c> of <see cref="OAuth2Options.Authority"/>, cached by Duende's
/// <see cref="DiscoveryCache"/>; plain HTTP is accepted for a loopback authority only).
/// </summary>
internal sealed class OAuth2Endpoints
{
    private readonly OAuth2Options _options;
    private readonly DiscoveryCache? _discovery;

    public OAuth2Endpoints(IOptions<OAuth2Options> options, IHttpClientFactory http)
    {
        _options = options.Value;
        if (!string.IsNullOrEmpty(_options.Authority) && (string.IsNullOrEmpty(_options.TokenEndpoint) || string.IsNullOrEmpty(_options.AuthorizationEndpoint)))
        {
            _discovery = new DiscoveryCache(_options.Authority, () => http.CreateClient(OAuth2Http.ClientName), new DiscoveryPolicy
            {
                // Microsoft's common/organizations endpoints answer with an issuer naming the tenant.
                ValidateIssuerName = false,
            });
        }
    }

    /// <summary>The token endpoint, or an error saying why it is not known.</summary>
    public async Task<(string? Endpoint, string? Error)> TokenEndpointAsync() =>
        !string.IsNullOrEmpty(_options.TokenEndpoint) ? (_options.TokenEndpoint, null) : await DiscoverAsync(static d => d.TokenEndpoint);

    /// <summary>The authorization endpoint, or an error saying why it is not known.</summary>
    public async Task<(string? Endpoint, string? Error)> AuthorizationEndpointAsync() =>
        !string.IsNullOrEmpty(_options.AuthorizationEndpoint) ? (_options.AuthorizationEndpoint, null) : await DiscoverAsync(static d => d.AuthorizeEndpoint);

    private async Task<(string? Endpoint, string? Error)> DiscoverAsync(Func<DiscoveryDocumentResponse, string?> pick)
    {
        if (_discovery is null)
        {
            return (null, "no endpoint configured");
        }

        var document = await _discovery.GetAsync();
        if (document.IsError)
        {
            // Try again at the next login rather than keeping the failure for the cache's whole lifetime.
            _discovery.Refresh();
            return (null, "discovery failed: " + document.Error);
        }

        return pick(document) is { Length: > 0 } endpoint ? (endpoint, null) : (null, "discovery named no such endpoint");
    }
}

/// <summary>The named HTTP client for the authorization server.</summary>
internal static class OAuth2Http
{
    public const string ClientName = "Pop3.Kestrel.Upstream.OAuth2";
}
