using Microsoft.Extensions.Options;

namespace Pop3.Kestrel.Upstream.OAuth2;

/// <summary>Fails start-up, naming the key, when OAuth 2.0 upstream is configured wrongly.</summary>
internal sealed class OAuth2OptionsValidator : IValidateOptions<OAuth2Options>
{
    private const string Section = OAuth2Options.SectionName;

    public ValidateOptionsResult Validate(string? name, OAuth2Options options)
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(options.ClientId))
        {
            errors.Add($"{Section}:ClientId is required.");
        }

        if (!IsUrl(options.Authority) && !IsUrl(options.TokenEndpoint))
        {
            errors.Add($"{Section}:Authority (with discovery) or {Section}:TokenEndpoint must be an absolute http(s) URL; Authority is '{options.Authority}', TokenEndpoint '{options.TokenEndpoint}'.");
        }

        foreach (var (key, value) in new[] { ("Authority", options.Authority), ("TokenEndpoint", options.TokenEndpoint), ("AuthorizationEndpoint", options.AuthorizationEndpoint), ("PublicUrl", options.PublicUrl) })
        {
            if (!string.IsNullOrEmpty(value) && !IsUrl(value))
            {
                errors.Add($"{Section}:{key} is '{value}'; it must be an absolute http or https URL.");
            }
        }

        if (options.Grant == OAuth2Grant.ClientCredentials && string.IsNullOrEmpty(options.ClientSecret))
        {
            errors.Add($"{Section}:ClientSecret is required with Grant ClientCredentials.");
        }

        if (options.Grant == OAuth2Grant.RefreshToken)
        {
            if (!IsUrl(options.PublicUrl))
            {
                errors.Add($"{Section}:PublicUrl (the gateway's URL as a browser reaches the admin listener) is required with Grant RefreshToken: the connect page's redirect URI is built from it.");
            }

            if (!IsUrl(options.Authority) && !IsUrl(options.AuthorizationEndpoint))
            {
                errors.Add($"{Section}:Authority or {Section}:AuthorizationEndpoint is required with Grant RefreshToken (the connect page sends users there).");
            }
        }

        if (options.RefreshBefore < TimeSpan.Zero)
        {
            errors.Add($"{Section}:RefreshBefore is {options.RefreshBefore}; it must not be negative.");
        }

        if (options.Timeout <= TimeSpan.Zero)
        {
            errors.Add($"{Section}:Timeout is {options.Timeout}; it must be positive.");
        }

        if (options.ConnectTimeout < TimeSpan.FromMinutes(1) || options.ConnectTimeout > TimeSpan.FromHours(1))
        {
            errors.Add($"{Section}:ConnectTimeout is {options.ConnectTimeout}; it must be between 00:01:00 and 01:00:00.");
        }

        if (string.IsNullOrWhiteSpace(options.KeyRingPath) || string.IsNullOrWhiteSpace(options.TokenStorePath))
        {
            errors.Add($"{Section}:KeyRingPath and {Section}:TokenStorePath must name folders.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static bool IsUrl(string? value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp);
}
