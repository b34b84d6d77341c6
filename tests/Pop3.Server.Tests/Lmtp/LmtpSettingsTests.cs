using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Pop3.Kestrel.Authentication;
using Pop3.Kestrel.Delivery;
using Pop3.Kestrel.Hosting;
using Pop3.Server.Tests.Infrastructure;

namespace Pop3.Server.Tests.Lmtp;

/// <summary>Pop3:Lmtp is checked like every other section: known keys, values that convert, and a start refused with the key named.</summary>
public sealed class LmtpSettingsTests
{
    [Theory]
    [InlineData("Pop3:Lmtp:Endpoints:Default:Port", "24")]
    [InlineData("Pop3:Lmtp:Endpoints:Default:Address", "127.0.0.1")]
    [InlineData("Pop3:Lmtp:Endpoints:Local:UnixSocket", "/run/pop3/lmtp")]
    [InlineData("Pop3:Lmtp:MaxMessageSize", "10485760")]
    [InlineData("Pop3:Lmtp:MaxRecipients", "500")]
    [InlineData("Pop3:Lmtp:RecipientMapping", "Address")]
    [InlineData("Pop3:Lmtp:CommandTimeout", "00:02:00")]
    public void Lmtp_keys_are_known_settings(string key, string value) => Assert.Empty(Pop3SettingKeys.Errors((key, value)));

    [Fact]
    public void A_misspelt_lmtp_key_and_a_mapping_that_does_not_exist_are_refused()
    {
        var errors = Pop3SettingKeys.Errors(("Pop3:Lmtp:MaxMesageSize", "1"), ("Pop3:Lmtp:RecipientMapping", "Domain"));
        Assert.Contains(errors, e => e.StartsWith("Pop3:Lmtp:MaxMesageSize is not a known setting; did you mean Pop3:Lmtp:MaxMessageSize?", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Pop3:Lmtp:RecipientMapping is 'Domain'", StringComparison.Ordinal) && e.Contains("LocalPart, Address", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_lmtp_endpoint_with_a_store_that_takes_no_deliveries_stops_start_up_naming_the_key()
    {
        await using var server = new LmtpServer(("Pop3:Store", "Proxy"), ("Pop3:Proxy:Host", "127.0.0.1"));
        var error = Assert.Throws<OptionsValidationException>(() => server.EndPoint);
        Assert.Contains("Pop3:Lmtp:Endpoints is set, but the store takes no deliveries", error.Message);
    }

    [Fact]
    public async Task Bad_lmtp_limits_stop_start_up_naming_each_key()
    {
        await using var server = new LmtpServer(("Pop3:Lmtp:MaxMessageSize", "0"), ("Pop3:Lmtp:MaxRecipients", "0"), ("Pop3:Lmtp:HostName", "two words"));
        var error = Assert.Throws<OptionsValidationException>(() => server.EndPoint);
        Assert.Contains("Pop3:Lmtp:MaxMessageSize is 0", error.Message);
        Assert.Contains("Pop3:Lmtp:MaxRecipients is 0", error.Message);
        Assert.Contains("Pop3:Lmtp:HostName 'two words'", error.Message);
    }

    [Fact]
    public void The_users_file_says_who_receives_mail_until_another_authenticator_replaces_it()
    {
        var services = new ServiceCollection();
        var builder = services.AddPop3Server().AddUsersFile();
        Assert.Single(services, d => d.ServiceType == typeof(IPop3UserDirectory));

        // Another authenticator knows its own users: the users file no longer says who receives mail.
        builder.AddAuthenticator<TestUsers>();
        using var provider = services.BuildServiceProvider();
        Assert.IsType<TestUsers>(provider.GetRequiredService<IPop3Authenticator>());
        Assert.Null(provider.GetService<IPop3UserDirectory>());
    }
}
