using System.Net;
using System.Security.Claims;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Pop3.Kestrel.Upstream.OAuth2.Tests.Infrastructure;

/// <summary>
/// A real OAuth 2.0 / OpenID Connect server (OpenIddict with an in-memory EF Core store) on 127.0.0.1, port 0: client
/// credentials, authorization code with PKCE, rolling refresh tokens, introspection and revocation, with lifetimes set
/// per test. Its authorization endpoint shows a one-field sign-in and consent page a browser can walk through.
/// Access tokens name the mailbox in <c>username</c> (user tokens) or the whole tenant in <c>tenant_mailboxes</c>
/// (app-only tokens), which is what the test Dovecot's oauth2 passdbs check.
/// </summary>
internal sealed class TestAuthorizationServer : IAsyncDisposable
{
    public const string GatewayClientId = "gateway";
    public const string GatewaySecret = "gateway-secret-7d1f0c9a";
    public const string DovecotClientId = "dovecot";
    public const string DovecotSecret = "dovecot-secret-51b2e8aa";
    public const string MailScope = "mail";
    public const string Tenant = "example.test";
    public const string TenantClaim = "tenant_mailboxes";

    private readonly WebApplication _app;

    private TestAuthorizationServer(WebApplication app, Uri issuer)
    {
        _app = app;
        Issuer = issuer;
    }

    /// <summary>The issuer, e.g. <c>http://127.0.0.1:41234/</c>.</summary>
    public Uri Issuer { get; }

    public Uri TokenEndpoint => new(Issuer, "connect/token");

    public Uri IntrospectionEndpoint => new(Issuer, "connect/introspect");

    /// <summary>Token requests answered, by grant type.</summary>
    public Dictionary<string, int> TokenRequests { get; } = new(StringComparer.Ordinal);

    public IServiceProvider Services => _app.Services;

    public static async Task<TestAuthorizationServer> StartAsync(TimeSpan accessTokenLifetime, TimeSpan refreshTokenLifetime, params string[] redirectUris)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        var database = "oauth-" + Guid.NewGuid().ToString("N");
        builder.Services.AddDbContext<DbContext>(options =>
        {
            options.UseInMemoryDatabase(database);
            options.UseOpenIddict();
        });
        builder.Services.AddOpenIddict()
            .AddCore(core => core.UseEntityFrameworkCore().UseDbContext<DbContext>())
            .AddServer(server =>
            {
                server.SetTokenEndpointUris("connect/token")
                    .SetAuthorizationEndpointUris("connect/authorize")
                    .SetIntrospectionEndpointUris("connect/introspect")
                    .SetRevocationEndpointUris("connect/revoke");
                server.AllowClientCredentialsFlow().AllowAuthorizationCodeFlow().RequireProofKeyForCodeExchange().AllowRefreshTokenFlow();
                server.RegisterScopes(MailScope, Scopes.OfflineAccess);
                server.AddEphemeralEncryptionKey().AddEphemeralSigningKey().DisableAccessTokenEncryption();
                server.SetAccessTokenLifetime(accessTokenLifetime).SetRefreshTokenLifetime(refreshTokenLifetime);
                server.SetRefreshTokenReuseLeeway(TimeSpan.Zero);
                server.UseAspNetCore().EnableTokenEndpointPassthrough().EnableAuthorizationEndpointPassthrough().DisableTransportSecurityRequirement();
            });

        var app = builder.Build();
        TestAuthorizationServer? self = null;
        app.MapMethods("/connect/authorize", ["GET", "POST"], context => AuthorizeAsync(context));
        app.MapPost("/connect/token", context => TokenAsync(context, self!));
        await app.StartAsync();

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        self = new TestAuthorizationServer(app, new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal) + "/"));
        await self.RegisterClientsAsync(redirectUris);
        return self;
    }

    /// <summary>Revokes every token issued for <paramref name="subject"/> (what a user or admin does at the provider).</summary>
    public async Task<int> RevokeAllAsync(string subject)
    {
        await using var scope = _app.Services.CreateAsyncScope();
        var tokens = scope.ServiceProvider.GetRequiredService<IOpenIddictTokenManager>();
        var count = 0;
        await foreach (var token in tokens.FindBySubjectAsync(subject))
        {
            if (await tokens.TryRevokeAsync(token))
            {
                count++;
            }
        }

        return count;
    }

    /// <summary>Whether the introspection endpoint calls <paramref name="token"/> active.</summary>
    public async Task<bool> IsActiveAsync(string token)
    {
        using var json = System.Text.Json.JsonDocument.Parse(await IntrospectAsync(token));
        return json.RootElement.GetProperty("active").GetBoolean();
    }

    /// <summary>What the introspection endpoint says about <paramref name="token"/>, asked as Dovecot asks.</summary>
    public async Task<string> IntrospectAsync(string token)
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, IntrospectionEndpoint)
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["token"] = token }),
        };
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.ASCII.GetBytes($"{DovecotClientId}:{DovecotSecret}")));
        using var response = await http.SendAsync(request);
        return await response.Content.ReadAsStringAsync();
    }

    /// <summary>
    /// Walks the authorization-code flow with PKCE as a browser would (the consent form posted for
    /// <paramref name="mailbox"/>) and exchanges the code: the tokens a connect page would store.
    /// </summary>
    public async Task<Duende.IdentityModel.Client.TokenResponse> AuthorizeAsync(string mailbox, string redirectUri)
    {
        var verifier = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        var challenge = System.Buffers.Text.Base64Url.EncodeToString(System.Security.Cryptography.SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });
        using var consent = await http.PostAsync(new Uri(Issuer, "connect/authorize"), new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["client_id"] = GatewayClientId,
            ["response_type"] = "code",
            ["scope"] = MailScope + " " + Scopes.OfflineAccess,
            ["redirect_uri"] = redirectUri,
            ["state"] = "s",
            ["code_challenge"] = challenge,
            ["code_challenge_method"] = "S256",
            ["mailbox"] = mailbox,
        }));
        var location = consent.Headers.Location ?? throw new InvalidOperationException($"No redirect from the authorization endpoint: {(int)consent.StatusCode} {await consent.Content.ReadAsStringAsync()}");
        var code = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(location.Query)["code"].ToString();
        return await Duende.IdentityModel.Client.HttpClientTokenRequestExtensions.RequestAuthorizationCodeTokenAsync(http, new Duende.IdentityModel.Client.AuthorizationCodeTokenRequest
        {
            Address = TokenEndpoint.ToString(),
            ClientId = GatewayClientId,
            ClientSecret = GatewaySecret,
            Code = code,
            RedirectUri = redirectUri,
            CodeVerifier = verifier,
        });
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task RegisterClientsAsync(string[] redirectUris)
    {
        await using var scope = _app.Services.CreateAsyncScope();
        var applications = scope.ServiceProvider.GetRequiredService<IOpenIddictApplicationManager>();
        var gateway = new OpenIddictApplicationDescriptor
        {
            ClientId = GatewayClientId,
            ClientSecret = GatewaySecret,
            ClientType = ClientTypes.Confidential,
            Permissions =
            {
                Permissions.Endpoints.Token, Permissions.Endpoints.Authorization, Permissions.Endpoints.Revocation,
                Permissions.GrantTypes.ClientCredentials, Permissions.GrantTypes.AuthorizationCode, Permissions.GrantTypes.RefreshToken,
                Permissions.ResponseTypes.Code, Permissions.Prefixes.Scope + MailScope, Permissions.Prefixes.Scope + Scopes.OfflineAccess,
            },
            Requirements = { Requirements.Features.ProofKeyForCodeExchange },
        };
        foreach (var uri in redirectUris)
        {
            gateway.RedirectUris.Add(new Uri(uri));
        }

        await applications.CreateAsync(gateway);
        await applications.CreateAsync(new OpenIddictApplicationDescriptor
        {
            ClientId = DovecotClientId,
            ClientSecret = DovecotSecret,
            ClientType = ClientTypes.Confidential,
            Permissions = { Permissions.Endpoints.Introspection },
        });
    }

    private static async Task AuthorizeAsync(HttpContext context)
    {
        var request = context.GetOpenIddictServerRequest() ?? throw new InvalidOperationException("Not an OpenIddict request.");
        var user = (string?)request["mailbox"];
        if (!HttpMethods.IsPost(context.Request.Method) || string.IsNullOrEmpty(user))
        {
            // The sign-in and consent page: every parameter of the request goes back in the form.
            var html = new StringBuilder("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Test provider</title></head><body><main>"
                + "<h1>Test provider: allow access to your mailbox</h1><form method=\"post\" action=\"/connect/authorize\">");
            foreach (var (name, value) in request.GetParameters().Select(p => (p.Key, p.Value)))
            {
                html.Append("<input type=\"hidden\" name=\"").Append(HtmlEncoder.Default.Encode(name)).Append("\" value=\"")
                    .Append(HtmlEncoder.Default.Encode((string?)value ?? "")).Append("\">");
            }

            html.Append("<label for=\"mailbox\">Mailbox</label><input id=\"mailbox\" name=\"mailbox\" required>"
                + "<button type=\"submit\" id=\"allow\">Allow</button></form></main></body></html>");
            context.Response.ContentType = "text/html; charset=utf-8";
            await context.Response.WriteAsync(html.ToString());
            return;
        }

        var identity = MailboxIdentity(user);
        identity.SetScopes(request.GetScopes());
        await context.SignInAsync(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme, new ClaimsPrincipal(identity));
    }

    private static async Task TokenAsync(HttpContext context, TestAuthorizationServer self)
    {
        var request = context.GetOpenIddictServerRequest() ?? throw new InvalidOperationException("Not an OpenIddict request.");
        lock (self.TokenRequests)
        {
            self.TokenRequests[request.GrantType ?? ""] = self.TokenRequests.GetValueOrDefault(request.GrantType ?? "") + 1;
        }

        ClaimsIdentity identity;
        if (request.IsClientCredentialsGrantType())
        {
            // App-only: any mailbox of the tenant, as an Exchange Online service principal may be granted.
            identity = new ClaimsIdentity(TokenValidationParameters.DefaultAuthenticationType, Claims.Name, Claims.Role);
            identity.SetClaim(Claims.Subject, request.ClientId);
            identity.SetClaim(TenantClaim, "*@" + Tenant);
            identity.SetScopes(request.GetScopes());
        }
        else
        {
            var result = await context.AuthenticateAsync(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
            var user = result.Principal?.GetClaim(Claims.Subject) ?? throw new InvalidOperationException("No principal.");
            identity = MailboxIdentity(user);
            identity.SetScopes(result.Principal.GetScopes());
        }

        identity.SetResources(DovecotClientId);
        identity.SetAudiences(DovecotClientId);
        identity.SetDestinations(static _ => [Destinations.AccessToken]);
        await context.SignInAsync(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme, new ClaimsPrincipal(identity));
    }

    private static ClaimsIdentity MailboxIdentity(string user)
    {
        var identity = new ClaimsIdentity(TokenValidationParameters.DefaultAuthenticationType, Claims.Name, Claims.Role);
        identity.SetClaim(Claims.Subject, user).SetClaim(Claims.Name, user);
        identity.SetResources(DovecotClientId);
        identity.SetAudiences(DovecotClientId);
        identity.SetDestinations(static _ => [Destinations.AccessToken]);
        return identity;
    }
}
