using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Pop3.Kestrel.Hosting;
using Pop3.Server.Hosting;
using Pop3.Server.Tests.Infrastructure;

namespace Pop3.Server.Tests.Configuration;

/// <summary>
/// Every key under Pop3 is checked against what the server's registered options classes bind, before anything binds:
/// a misspelt key is refused with the key it probably meant, a value that does not convert with the accepted values.
/// </summary>
public sealed class SettingsCheckTests
{
    [Theory]
    [InlineData("Pop3:Greting", "x", "Pop3:Greting is not a known setting; did you mean Pop3:Greeting?")]
    [InlineData("Pop3:Endpoints:Default:Prot", "1110", "Pop3:Endpoints:Default:Prot is not a known setting; did you mean Pop3:Endpoints:Default:Port?")]
    [InlineData("Pop3:Maildir:Pth", "/var/mail/{user}", "Pop3:Maildir:Pth is not a known setting; did you mean Pop3:Maildir:Path?")]
    [InlineData("Pop3:Authentication:MaxAttempt", "3", "Pop3:Authentication:MaxAttempt is not a known setting; did you mean Pop3:Authentication:MaxAttempts?")]
    [InlineData("Pop3:Admin:Tokn", "t", "Pop3:Admin:Tokn is not a known setting; did you mean Pop3:Admin:Token?")]
    [InlineData("Pop3:Sockets:Inlined", "true", "Pop3:Sockets:Inlined is not a known setting; did you mean Pop3:Sockets:Inline?")]
    [InlineData("Pop3:Greeting:Text", "x", "Pop3:Greeting:Text is not a known setting: Pop3:Greeting takes a value, not keys under it.")]
    [InlineData("Pop3:ProxyProtocol:TrustedNetworks:first", "10.0.0.0/8",
        "Pop3:ProxyProtocol:TrustedNetworks:first is not a known setting: the items of the list Pop3:ProxyProtocol:TrustedNetworks are numbered Pop3:ProxyProtocol:TrustedNetworks:0, Pop3:ProxyProtocol:TrustedNetworks:1, ...")]
    public void An_unknown_key_is_refused_naming_the_key_it_probably_meant(string key, string value, string expected) =>
        Assert.Equal([expected], Errors((key, value)));

    [Fact]
    public void Kestrel_endpoints_beside_the_pop3_listeners_are_refused() =>
        Assert.StartsWith("Kestrel:Endpoints is not a known setting; the keys under Kestrel are: ", Assert.Single(Errors(("Kestrel:Endpoints:Http:Url", "http://*:80"))), StringComparison.Ordinal);

    [Fact]
    public void An_unknown_key_with_nothing_close_lists_the_known_keys()
    {
        var error = Assert.Single(Errors(("Pop3:Limits:Frobnicate", "1")));
        Assert.Equal("Pop3:Limits:Frobnicate is not a known setting; the keys under Pop3:Limits are: MaxConnections, MaxConnectionsPerIp, MaxConnectionsPerUserIp, MaxUnauthenticatedConnections, MinAuthorizationTimeout.", error);
    }

    [Theory]
    [InlineData("Pop3:Endpoints:Default:Port", "abc", "Pop3:Endpoints:Default:Port is 'abc'; it must be a whole number from 0 to 65535.")]
    [InlineData("Pop3:Endpoints:Default:Port", "70000", "Pop3:Endpoints:Default:Port is '70000'; it must be a whole number from 0 to 65535.")]
    [InlineData("Pop3:Endpoints:Second:Port", "abc", "Pop3:Endpoints:Second:Port is 'abc'; it must be a whole number from 0 to 65535.")]
    [InlineData("Pop3:Endpoints:Default:Tls", "Implict", "Pop3:Endpoints:Default:Tls is 'Implict'; it must be one of: None, Implicit.")]
    [InlineData("Pop3:Endpoints:Default:Tls", "1", "Pop3:Endpoints:Default:Tls is '1'; it must be one of: None, Implicit.")]
    [InlineData("Pop3:Store", "Mbox", "Pop3:Store is 'Mbox'; it must be one of: Maildir, PostgreSql, Upstream.")]
    [InlineData("Pop3:MaxErrors", "ten", "Pop3:MaxErrors is 'ten'; it must be a whole number.")]
    [InlineData("Pop3:MaxErrors", "", "Pop3:MaxErrors is ''; it must be a whole number.")]
    [InlineData("Pop3:ShowImplementationBeforeLogin", "yes", "Pop3:ShowImplementationBeforeLogin is 'yes'; it must be true or false.")]
    [InlineData("Pop3:CommandTimeout", "10m", "Pop3:CommandTimeout is '10m'; it must be a duration such as 00:00:30 (hh:mm:ss) or 1.00:00:00 (a day).")]
    [InlineData("Pop3:Authentication:AllowPlaintext", "Sometimes", "Pop3:Authentication:AllowPlaintext is 'Sometimes'; it must be one of: Never, Loopback, Always.")]
    [InlineData("Pop3:Maildir:Locking", "Flock", "Pop3:Maildir:Locking is 'Flock'; it must be one of: Auto, SharedFile, PerMaildir, Both.")]
    [InlineData("Pop3:Upstream:Port", "0", "Pop3:Upstream:Port is '0'; it must be a whole number from 1 to 65535.")]
    [InlineData("Pop3:Proxy:Port", "0", "Pop3:Proxy:Port is '0'; it must be a whole number from 1 to 65535.")]
    [InlineData("Pop3:Upstream:Protocol", "Smtp", "Pop3:Upstream:Protocol is 'Smtp'; it must be one of: Pop3, Imap.")]
    [InlineData("Pop3:Admin:Port", "x", "Pop3:Admin:Port is 'x'; it must be a whole number from 0 to 65535.")]
    [InlineData("Pop3:Demo", "on", "Pop3:Demo is 'on'; it must be true or false.")]
    [InlineData("Pop3:ClientWorkarounds", "nope", "Pop3:ClientWorkarounds: unknown workaround 'nope'; known: outlook-no-nuls, oe-ns-eoh.")]
    [InlineData("Pop3:ProxyProtocol:TrustedNetworks", "10.0.0.0/8",
        "Pop3:ProxyProtocol:TrustedNetworks is a list: its items are Pop3:ProxyProtocol:TrustedNetworks:0, Pop3:ProxyProtocol:TrustedNetworks:1, ... (given '10.0.0.0/8').")]
    [InlineData("Pop3:Sockets", "false", "Pop3:Sockets is a section: it takes keys such as Pop3:Sockets:Inline, not the value 'false'.")]
    [InlineData("Pop3:Endpoints:Default", "1110", "Pop3:Endpoints:Default is a section: it takes keys such as Pop3:Endpoints:Default:Address, not the value '1110'.")]
    public void A_value_that_does_not_convert_is_refused_naming_the_key_and_the_accepted_values(string key, string value, string expected) =>
        Assert.Equal([expected], Errors((key, value)));

    [Fact]
    public void Every_problem_is_reported_at_once() =>
        Assert.Equal(
            ["Pop3:Endpoints:Default:Port is 'abc'; it must be a whole number from 0 to 65535.", "Pop3:Greting is not a known setting; did you mean Pop3:Greeting?"],
            Errors(("Pop3:Endpoints:Default:Port", "abc"), ("Pop3:Greting", "x")));

    [Theory]
    [InlineData("Pop3:Endpoints:Default:Tls", "implicit")]
    [InlineData("Pop3:Endpoints:Secure:Sni:mail.example.org:Path", "/etc/pop3/mail.pem")]
    [InlineData("Pop3:ProxyProtocol:TrustedNetworks:0", "10.0.0.0/8")]
    [InlineData("Pop3:Authentication:Mechanisms", "PLAIN SCRAM-SHA-256")]
    [InlineData("Pop3:Authentication:Mechanisms:0", "PLAIN")]
    [InlineData("Pop3:Authentication:UsersFile", "/etc/pop3/users")]
    [InlineData("Pop3:Authentication:OAuth:Issuer", "https://id.example.org")]
    [InlineData("Pop3:PostgreSql:ConnectionString", "Host=db")]
    [InlineData("Pop3:Upstream:Host", "mail.example.org")]
    [InlineData("Pop3:Upstream:Port", "")]
    [InlineData("Pop3:Upstream:Protocol", "imap")]
    [InlineData("Pop3:Upstream:Imap:Folder", "Archive/2026")]
    [InlineData("Pop3:Upstream:Imap:MarkSeen", "true")]
    [InlineData("Pop3:Upstream:Imap:TrashFolder", "[Gmail]/Trash")]
    [InlineData("Pop3:Proxy:Host", "mail.example.org")]
    [InlineData("Pop3:Store", "Upstream")]
    [InlineData("Pop3:Store", "Proxy")]
    [InlineData("Pop3:Admin:Port", "")]
    [InlineData("Pop3:Store", "")]
    [InlineData("Pop3:Endpoints", "")]
    [InlineData("pop3:greeting", "case does not matter")]
    [InlineData("Pop3:ClientWorkarounds", "outlook-no-nuls oe-ns-eoh")]
    [InlineData("Serilog:Whatever", "Serilog's section is Serilog's")]
    [InlineData("Kestrel:Limits:MaxConcurrentConnections", "100")]
    public void Known_keys_and_good_values_pass(string key, string value) => Assert.Empty(Errors((key, value)));

    [Fact]
    public void The_shipped_appsettings_json_passes()
    {
        var configuration = new ConfigurationBuilder().AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json")).Build();
        Assert.Empty(Pop3SettingsCheck.Check(configuration, Pop3SettingKeys.ServerDeclarations(configuration)));
    }

    [Fact]
    public void A_property_of_a_registered_options_class_is_known_without_further_registration()
    {
        var configuration = Configuration(("Pop3:Test:Added", "5"), ("Pop3:Test:Nested:Deep", "true"), ("Pop3:Test:Missing", "x"), ("Pop3:Test:Added2", "y"));
        var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration);
        services.AddPop3Settings<TestOptions>("Pop3:Test");
        using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<TestOptions>>().Value);
        Assert.Equal(
            ["Pop3:Test:Added2 is 'y'; it must be a whole number.", "Pop3:Test:Missing is not a known setting; the keys under Pop3:Test are: Added, Added2, Nested."],
            error.Failures);
    }

    [Fact]
    public void Bearer_token_settings_are_known_where_the_oauthbearer_package_is_added_and_refused_where_it_is_not()
    {
        Assert.Equal(
            ["Pop3:Authentication:OAuth:Isuer is not a known setting; did you mean Pop3:Authentication:OAuth:Issuer?"],
            Errors(("Pop3:Authentication:OAuth:Issuer", "https://issuer.example.org"), ("Pop3:Authentication:OAuth:Isuer", "x")));

        // An application that never called AddOAuthBearer() has no such settings: they are not silently ignored.
        var configuration = Configuration(("Pop3:Authentication:OAuth:Issuer", "https://issuer.example.org"));
        var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration);
        services.AddPop3Server();
        var declarations = services.Select(d => d.ImplementationInstance).OfType<Pop3SettingDeclaration>();
        Assert.StartsWith("Pop3:Authentication:OAuth", Assert.Single(Pop3SettingsCheck.Check(configuration, declarations)), StringComparison.Ordinal);
    }

    [Fact]
    public void The_first_options_bound_stop_start_up_before_the_binder_sees_a_bad_value()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection([new("Pop3:MaxErrors", "ten")]);
        builder.AddServerServices();

        var error = Assert.Throws<OptionsValidationException>(() =>
        {
            using var host = builder.Build();
            return host.Services.GetRequiredService<IOptions<Pop3ServerOptions>>().Value;
        });
        Assert.Equal(["Pop3:MaxErrors is 'ten'; it must be a whole number."], error.Failures);
    }

    private static IConfigurationRoot Configuration(params (string Key, string Value)[] settings) =>
        new ConfigurationBuilder().AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value))).Build();

    private static IReadOnlyList<string> Errors(params (string Key, string Value)[] settings) => Pop3SettingKeys.Errors(settings);

    public sealed class TestOptions
    {
        public int Added { get; set; }

        public int Added2 { get; set; }

        public NestedOptions Nested { get; set; } = new();

        public bool IsComputed => Added > 0;
    }

    public sealed class NestedOptions
    {
        public bool Deep { get; set; }
    }
}
