using System.Text.RegularExpressions;
using Pop3.Kestrel.Upstream.OAuth2.Tests.Infrastructure;

namespace Pop3.Kestrel.Upstream.OAuth2.Tests.Configuration;

/// <summary>deploy/gateway/docker-compose.yml names only settings the server knows, with values it accepts.</summary>
public sealed partial class GatewayComposeExampleTests
{
    [Fact]
    public async Task The_compose_example_settings_start_the_gateway()
    {
        var compose = await File.ReadAllTextAsync(Path.Combine(RepositoryRoot(), "deploy", "gateway", "docker-compose.yml"));
        var settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (Match match in EnvironmentLine().Matches(compose))
        {
            settings[match.Groups["key"].Value.Replace("__", ":", StringComparison.Ordinal)] = match.Groups["value"].Value.Trim().Trim('"');
        }

        Assert.Equal("Upstream", settings["Pop3:Store"]);
        Assert.Equal("RefreshToken", settings["Pop3:Upstream:OAuth2:Grant"]);

        // Listeners and the certificate are the container's; the secret comes from gateway.env.
        foreach (var key in settings.Keys.Where(k => k.StartsWith("Pop3:Endpoints:", StringComparison.Ordinal) || k.StartsWith("Pop3:Certificate:", StringComparison.Ordinal)).ToList())
        {
            settings.Remove(key);
        }

        settings["Pop3:Upstream:OAuth2:ClientSecret"] = "from-gateway.env";
        await using var gateway = new GatewayFactory(settings);

        Assert.True(gateway.Pop3EndPoint.Port > 0);
        Assert.NotNull(gateway.TokenSource);
    }

    private static string RepositoryRoot()
    {
        var folder = new DirectoryInfo(AppContext.BaseDirectory);
        while (folder is not null && !File.Exists(Path.Combine(folder.FullName, "Pop3.Kestrel.sln")))
        {
            folder = folder.Parent;
        }

        return folder?.FullName ?? throw new InvalidOperationException("Not inside the repository.");
    }

    [GeneratedRegex(@"^\s+(?<key>Pop3__[A-Za-z0-9_]+):\s*(?<value>.+)$", RegexOptions.Multiline)]
    private static partial Regex EnvironmentLine();
}
