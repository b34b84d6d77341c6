using Microsoft.Extensions.Options;
using Pop3.Kestrel.Upstream.OAuth2.Tests.Infrastructure;

namespace Pop3.Kestrel.Upstream.OAuth2.Tests.Configuration;

/// <summary>The shipped server refuses to start on a wrong <c>Pop3:Upstream:OAuth2</c> setting, naming the key.</summary>
public sealed class OAuth2SettingsTests
{
    private static Dictionary<string, string?> Gateway(params (string Key, string Value)[] oauth2)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Pop3:Upstream:Host"] = "127.0.0.1",
            ["Pop3:Upstream:Port"] = "9",
        };
        foreach (var (key, value) in oauth2)
        {
            settings["Pop3:Upstream:OAuth2:" + key] = value;
        }

        return settings;
    }

    [Theory]
    [InlineData("ClientId", "Pop3:Upstream:OAuth2:ClientId is required.")]
    [InlineData("ClientSecret", "Pop3:Upstream:OAuth2:ClientSecret is required with Grant ClientCredentials.")]
    [InlineData("Authority", "Pop3:Upstream:OAuth2:Authority (with discovery) or Pop3:Upstream:OAuth2:TokenEndpoint must be an absolute http(s) URL")]
    public async Task A_missing_setting_stops_start_up_naming_the_key(string missing, string error)
    {
        var settings = new List<(string, string)> { ("ClientId", "gateway"), ("ClientSecret", "s3cret"), ("Authority", "https://login.example.test/tenant/v2.0") };
        settings.RemoveAll(s => s.Item1 == missing);
        await using var gateway = new GatewayFactory(Gateway([.. settings]));

        var failure = Assert.ThrowsAny<OptionsValidationException>(() => gateway.Pop3EndPoint);

        Assert.Contains(failure.Failures, f => f.StartsWith(error, StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_refresh_token_grant_needs_the_public_url_of_the_connect_page()
    {
        await using var gateway = new GatewayFactory(Gateway(("ClientId", "gateway"), ("Authority", "https://login.example.test/"), ("Grant", "RefreshToken")));

        var failure = Assert.ThrowsAny<OptionsValidationException>(() => gateway.Pop3EndPoint);

        Assert.Contains(failure.Failures, f => f.StartsWith("Pop3:Upstream:OAuth2:PublicUrl (the gateway's URL as a browser reaches the admin listener) is required with Grant RefreshToken", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_misspelt_key_under_the_section_is_refused()
    {
        await using var gateway = new GatewayFactory(Gateway(("ClientId", "gateway"), ("ClientSecret", "s3cret"), ("Authority", "https://login.example.test/"), ("Scope", "mail")));

        var failure = Assert.ThrowsAny<OptionsValidationException>(() => gateway.Pop3EndPoint);

        Assert.Contains(failure.Failures, f => f.StartsWith("Pop3:Upstream:OAuth2:Scope is not a known setting", StringComparison.Ordinal));
    }
}
