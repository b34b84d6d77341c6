using System.Net;
using Duende.IdentityModel.Client;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Pop3.Kestrel.Admin;
using Pop3.Kestrel.Authentication;

namespace Pop3.Kestrel.Upstream.OAuth2;

/// <summary>
/// The connect page and the status API on the admin listener. <c>GET /oauth2/connect</c> shows the sign-in form;
/// its POST (antiforgery-checked) checks the gateway password with the configured <see cref="IPop3Authenticator"/> and
/// redirects to the provider with PKCE (S256) and an encrypted state; <c>GET /oauth2/callback</c> exchanges the code
/// and stores the tokens (these three with the refresh-token grant only). <c>GET /upstream/oauth2/users[/{user}]</c> and <c>DELETE /upstream/oauth2/users/{user}</c>
/// need the admin token.
/// </summary>
internal sealed partial class OAuth2ConnectEndpoints : IPop3AdminEndpointSource
{
    public const string ConnectPath = "/oauth2/connect";
    public const string CallbackPath = "/oauth2/callback";
    public const string StatusPath = "/upstream/oauth2/users";
    private const string NonceCookie = "pop3-oauth2-nonce";
    private const string Html = "text/html; charset=utf-8";

    public void MapEndpoints(IEndpointRouteBuilder endpoints)
    {
        // With an app-only token there is nothing for a user to connect: no page to offer.
        if (endpoints.ServiceProvider.GetRequiredService<IOptions<OAuth2Options>>().Value.Grant == OAuth2Grant.RefreshToken)
        {
            endpoints.MapGet(ConnectPath, ShowAsync).OnAdminListener(requireToken: false);
            endpoints.MapPost(ConnectPath, ConnectAsync).OnAdminListener(requireToken: false);
            endpoints.MapGet(CallbackPath, CallbackAsync).OnAdminListener(requireToken: false);
        }
        endpoints.MapGet(StatusPath, (OAuth2TokenSource source) => Results.Json(source.Status(), OAuth2Json.Default.IReadOnlyListOAuth2ConnectionStatus))
            .OnAdminListener(requireToken: true);
        endpoints.MapGet(StatusPath + "/{user}", (string user, OAuth2TokenSource source) => source.Status(user) is { } status
            ? Results.Json(status, OAuth2Json.Default.OAuth2ConnectionStatus)
            : Results.NotFound()).OnAdminListener(requireToken: true);
        endpoints.MapDelete(StatusPath + "/{user}", (string user, OAuth2TokenSource source) => source.Disconnect(user)
            ? Results.Ok(new { disconnected = 1 })
            : Results.NotFound(new { disconnected = 0 })).OnAdminListener(requireToken: true);
    }

    private static IResult ShowAsync(HttpContext context, IAntiforgery antiforgery, IOptions<OAuth2Options> options) =>
        SignInPage(context, antiforgery, options.Value, user: null, error: null, StatusCodes.Status200OK);

    private static async Task<IResult> ConnectAsync(HttpContext context, IAntiforgery antiforgery, IOptions<OAuth2Options> options,
        IOptions<Pop3AuthenticationOptions> authentication, OAuth2Protection protection, OAuth2Endpoints endpoints, TimeProvider time, ILogger<OAuth2ConnectEndpoints> logger)
    {
        var settings = options.Value;
        try
        {
            await antiforgery.ValidateRequestAsync(context);
        }
        catch (AntiforgeryValidationException)
        {
            return Results.Content(OAuth2ConnectPage.Failed("The form had expired or did not come from this page. Please try again."), Html, statusCode: StatusCodes.Status400BadRequest);
        }

        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        var user = form["user"].ToString().Trim();
        var password = form["password"].ToString();
        var authenticator = context.RequestServices.GetRequiredService<IPop3Authenticator>();
        var connection = new Pop3ConnectionInfo(context.Connection.Id,
            context.Connection.RemoteIpAddress is { } remote ? new IPEndPoint(remote, context.Connection.RemotePort) : null,
            context.Connection.LocalIpAddress is { } local ? new IPEndPoint(local, context.Connection.LocalPort) : null)
        { Endpoint = "oauth2-connect", IsSecure = context.Request.IsHttps };
        var result = user.Length == 0 || password.Length == 0
            ? Pop3AuthenticationResult.Failure
            : await authenticator.AuthenticateAsync(user, password, connection, context.RequestAborted);
        if (!result.Succeeded)
        {
            LogSignInFailed(logger, user, connection.RemoteAddress?.ToString());

            // The same pause a POP3 client gets after a wrong password, so the page is no faster way to guess.
            if (authentication.Value.FailureDelay > TimeSpan.Zero)
            {
                await Task.Delay(authentication.Value.FailureDelay, time, context.RequestAborted);
            }

            return SignInPage(context, antiforgery, settings, user,
                result.IsTemporaryFailure ? "Sign-in is not possible right now; please try again later." : "Wrong user name or password.",
                result.IsTemporaryFailure ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status401Unauthorized);
        }

        var (authorize, error) = await endpoints.AuthorizationEndpointAsync();
        if (authorize is null)
        {
            LogNoAuthorizationEndpoint(logger, error ?? "unknown");
            return Results.Content(OAuth2ConnectPage.Failed("The provider cannot be reached right now; please try again later."), Html, statusCode: StatusCodes.Status503ServiceUnavailable);
        }

        // The mailbox the authenticator named is whose tokens these are (a login name may map onto another mailbox).
        var state = OAuth2ConnectState.New(result.Mailbox ?? user);
        context.Response.Cookies.Append(NonceCookie, state.Nonce, new CookieOptions
        {
            HttpOnly = true,
            Secure = IsHttps(settings),
            SameSite = SameSiteMode.Lax,
            Path = "/oauth2",
            MaxAge = settings.ConnectTimeout,
        });
        var url = new RequestUrl(authorize).CreateAuthorizeUrl(
            clientId: settings.ClientId,
            responseType: "code",
            scope: settings.Scopes,
            redirectUri: RedirectUri(settings),
            state: state.Protect(protection.Provider, settings.ConnectTimeout),
            codeChallenge: state.CodeChallenge,
            codeChallengeMethod: "S256",
            extra: settings.AuthorizationParameters.Count == 0 ? null : new Parameters(settings.AuthorizationParameters));
        LogRedirected(logger, state.User);
        return Results.Redirect(url);
    }

    private static async Task<IResult> CallbackAsync(HttpContext context, IOptions<OAuth2Options> options, OAuth2Protection protection,
        OAuth2TokenSource source, ILogger<OAuth2ConnectEndpoints> logger)
    {
        var settings = options.Value;
        var query = context.Request.Query;
        var state = OAuth2ConnectState.Unprotect(protection.Provider, query["state"]);
        var nonce = context.Request.Cookies[NonceCookie];
        context.Response.Cookies.Delete(NonceCookie, new CookieOptions { Path = "/oauth2", Secure = IsHttps(settings), HttpOnly = true, SameSite = SameSiteMode.Lax });
        if (state is null || nonce is null || !System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(
                System.Text.Encoding.ASCII.GetBytes(nonce), System.Text.Encoding.ASCII.GetBytes(state.Nonce)))
        {
            LogBadState(logger);
            return Results.Content(OAuth2ConnectPage.Failed("This answer from the provider does not belong to a connect attempt started in this browser, or it came too late."), Html, statusCode: StatusCodes.Status400BadRequest);
        }

        if (query["error"].ToString() is { Length: > 0 } error)
        {
            var description = query["error_description"].ToString();
            LogProviderRefused(logger, state.User, error, description);
            return Results.Content(OAuth2ConnectPage.Failed(error == "access_denied"
                ? "Access was not allowed at the provider, so the mailbox is not connected."
                : $"The provider refused: {error} {description}".Trim()), Html, statusCode: StatusCodes.Status400BadRequest);
        }

        var code = query["code"].ToString();
        if (code.Length == 0)
        {
            return Results.Content(OAuth2ConnectPage.Failed("The provider sent no authorization code."), Html, statusCode: StatusCodes.Status400BadRequest);
        }

        var response = await source.RequestAsync("authorization_code", (client, endpoint, ct) => client.RequestAuthorizationCodeTokenAsync(new AuthorizationCodeTokenRequest
        {
            Address = endpoint,
            ClientId = settings.ClientId,
            ClientSecret = settings.ClientSecret,
            Code = code,
            RedirectUri = RedirectUri(settings),
            CodeVerifier = state.CodeVerifier,
        }, ct), context.RequestAborted);
        if (response.IsError || string.IsNullOrEmpty(response.AccessToken))
        {
            LogExchangeFailed(logger, state.User, response.Error ?? "no access token");
            return Results.Content(OAuth2ConnectPage.Failed("The provider did not accept the sign-in; please try again."), Html, statusCode: StatusCodes.Status502BadGateway);
        }

        if (string.IsNullOrEmpty(response.RefreshToken))
        {
            // Without offline access the mailbox would stop working within the hour: better to say so now.
            LogNoRefreshToken(logger, state.User);
            return Results.Content(OAuth2ConnectPage.Failed("The provider gave no refresh token (is offline_access among Pop3:Upstream:OAuth2:Scopes?), so the mailbox cannot be read unattended."), Html, statusCode: StatusCodes.Status502BadGateway);
        }

        await source.ConnectAsync(state.User, response, context.RequestAborted);
        return Results.Content(OAuth2ConnectPage.Connected(state.User), Html);
    }

    private static IResult SignInPage(HttpContext context, IAntiforgery antiforgery, OAuth2Options settings, string? user, string? error, int status)
    {
        var tokens = antiforgery.GetAndStoreTokens(context);
        context.Response.Headers.CacheControl = "no-store";
        context.Response.Headers["Content-Security-Policy"] = "default-src 'none'; form-action 'self' " + ProviderOrigin(settings) + "; frame-ancestors 'none'";
        return Results.Content(OAuth2ConnectPage.SignIn(ProviderName(settings), tokens.FormFieldName, tokens.RequestToken!, user, error), Html, statusCode: status);
    }

    internal static string RedirectUri(OAuth2Options settings) => settings.PublicUrl!.TrimEnd('/') + CallbackPath;

    private static bool IsHttps(OAuth2Options settings) => settings.PublicUrl?.StartsWith("https:", StringComparison.OrdinalIgnoreCase) == true;

    private static string ProviderName(OAuth2Options settings) =>
        Uri.TryCreate(settings.AuthorizationEndpoint ?? settings.Authority, UriKind.Absolute, out var uri) ? uri.Host : "your mail provider";

    // The form posts here, and its redirect goes on to the provider: both must be allowed by form-action.
    private static string ProviderOrigin(OAuth2Options settings) =>
        Uri.TryCreate(settings.AuthorizationEndpoint ?? settings.Authority, UriKind.Absolute, out var uri) ? uri.GetLeftPart(UriPartial.Authority) : "https:";

    [LoggerMessage(Level = LogLevel.Warning, Message = "Connect page: sign-in of {User} from {Address} failed")]
    private static partial void LogSignInFailed(ILogger logger, string user, string? address);

    [LoggerMessage(Level = LogLevel.Information, Message = "Connect page: {User} sent to the provider")]
    private static partial void LogRedirected(ILogger logger, string user);

    [LoggerMessage(Level = LogLevel.Error, Message = "Connect page: the authorization endpoint is not known ({Reason}); set Pop3:Upstream:OAuth2:Authority or AuthorizationEndpoint")]
    private static partial void LogNoAuthorizationEndpoint(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Connect page: a callback with a missing, altered or expired state, or from another browser, was refused")]
    private static partial void LogBadState(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Connect page: the provider refused {User}: {Error} {Description}")]
    private static partial void LogProviderRefused(ILogger logger, string user, string error, string description);

    [LoggerMessage(Level = LogLevel.Error, Message = "Connect page: the code exchange for {User} failed: {Error}")]
    private static partial void LogExchangeFailed(ILogger logger, string user, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "Connect page: the provider gave {User} no refresh token; ask for offline access in Pop3:Upstream:OAuth2:Scopes")]
    private static partial void LogNoRefreshToken(ILogger logger, string user);
}
