using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Pop3.Kestrel.Authentication;
using Pop3.Kestrel.Upstream;
using Pop3.Server.Tests.Infrastructure;
using Pop3.Server.Tests.Operations;
using Serilog.Core;
using Serilog.Events;

namespace Pop3.Server.Tests.Stores;

/// <summary>The upstream store's former names (<c>Pop3:Store=Proxy</c>, <c>Pop3:Proxy</c>) work for one release, with a warning.</summary>
[Collection(LogCaptureCollection.Name)]
public sealed class UpstreamLegacySettingsTests
{
    [Fact]
    public async Task The_former_proxy_names_still_configure_the_upstream_and_warn_at_start_up()
    {
        var logs = new LogCapture();
        await using var server = new Pop3ServerFactory().WithServices(s =>
            {
                s.AddSingleton<IPop3Authenticator, TestUsers>();
                s.AddSingleton<ILogEventSink>(logs);
            })
            .With("Serilog:Console:Format", "none")
            .With("Pop3:Store", "Proxy")
            .With("Pop3:Proxy:Host", "pop.example.org")
            .With("Pop3:Proxy:Port", "1995");
        server.StartServer();
        var settings = server.Services.GetRequiredService<IOptions<UpstreamOptions>>().Value;
        Assert.Equal(("pop.example.org", 1995), (settings.Host, settings.Port));
        Assert.Contains("Pop3:Store=Proxy is deprecated and will be refused in the next release: set Pop3:Store=Upstream", Warnings(logs));
        Assert.Contains("The settings section Pop3:Proxy is deprecated and will be refused in the next release: rename its keys to Pop3:Upstream", Warnings(logs));
    }

    [Fact]
    public async Task A_key_in_both_sections_takes_the_upstream_value_and_only_the_old_section_is_warned_about()
    {
        var logs = new LogCapture();
        await using var server = new Pop3ServerFactory().WithServices(s =>
            {
                s.AddSingleton<IPop3Authenticator, TestUsers>();
                s.AddSingleton<ILogEventSink>(logs);
            })
            .With("Serilog:Console:Format", "none")
            .With("Pop3:Store", "Upstream")
            .With("Pop3:Upstream:Host", "new.example.org")
            .With("Pop3:Proxy:Host", "old.example.org")
            .With("Pop3:Proxy:User", "{user}@old.example.org");
        server.StartServer();
        var settings = server.Services.GetRequiredService<IOptions<UpstreamOptions>>().Value;
        Assert.Equal(("new.example.org", "{user}@old.example.org"), (settings.Host, settings.User));
        Assert.Equal(["The settings section Pop3:Proxy is deprecated and will be refused in the next release: rename its keys to Pop3:Upstream"], Warnings(logs).Where(w => w.Contains("deprecated", StringComparison.Ordinal)));
    }

    private static string[] Warnings(LogCapture logs) =>
        [.. logs.Events.Where(e => e.Level == LogEventLevel.Warning).Select(e => e.RenderMessage().Replace("\"", "", StringComparison.Ordinal))];
}
