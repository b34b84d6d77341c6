using System.Net;
using System.Net.Sockets;
using System.Text;
using MailKit.Net.Pop3;
using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;
using Pop3.Kestrel.Upstream.OAuth2.Tests.Infrastructure;

namespace Pop3.Kestrel.Upstream.OAuth2.Tests.Gateway;

/// <summary>
/// The connect page walked in headless Chromium (Debian's chromium and chromium-driver, through Selenium WebDriver):
/// sign in with the gateway password, Connect, the provider's sign-in and consent page, back to the callback; then the
/// user's mail client fetches through Dovecot with the stored refresh token.
/// </summary>
[Trait("Category", "Interop")]
public sealed class ConnectPageBrowserTests : IAsyncLifetime
{
    private static readonly byte[] BobFirst = Encoding.ASCII.GetBytes("From: b@example.test\r\nSubject: for bob\r\n\r\nhello bob\r\n");

    private TestAuthorizationServer _server = null!;
    private TestDovecot? _dovecot;
    private GatewayFactory? _gateway;
    private ChromeDriver? _browser;
    private string _publicUrl = "";

    public async Task InitializeAsync()
    {
        var chromium = ExternalProgram.Chromium.Locate();
        var driver = ExternalProgram.ChromeDriver.Locate();

        // The redirect URI is registered with the provider before the gateway starts, so the admin port is chosen first.
        var adminPort = LoopbackPorts.Take();
        _publicUrl = $"http://127.0.0.1:{adminPort}";
        _server = await TestAuthorizationServer.StartAsync(TimeSpan.FromHours(1), TimeSpan.FromDays(14), _publicUrl + "/oauth2/callback");
        _dovecot = await TestDovecot.StartAsync(_server);
        _dovecot.Deliver("bob@example.test", BobFirst);
        var settings = TokenSourceHost.SettingsFor(_server, "RefreshToken");
        settings["Pop3:Upstream:OAuth2:PublicUrl"] = _publicUrl;
        settings["Pop3:Upstream:OAuth2:AuthorizationParameters:access_type"] = "offline";
        settings["Pop3:Admin:Port"] = adminPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        settings["Pop3:Upstream:Protocol"] = "Pop3";
        settings["Pop3:Upstream:Host"] = "127.0.0.1";
        settings["Pop3:Upstream:Port"] = _dovecot.Pop3Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        settings["Pop3:Upstream:User"] = "{user}@" + TestAuthorizationServer.Tenant;
        _gateway = new GatewayFactory(settings);
        _ = _gateway.Pop3EndPoint;

        var service = ChromeDriverService.CreateDefaultService(Path.GetDirectoryName(driver)!, Path.GetFileName(driver));
        service.SuppressInitialDiagnosticInformation = true;
        service.HideCommandPromptWindow = true;
        var options = new ChromeOptions { BinaryLocation = chromium };
        options.AddArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", "--disable-extensions");
        _browser = new ChromeDriver(service, options, TimeSpan.FromSeconds(60));
        _browser.Manage().Timeouts().PageLoad = TimeSpan.FromSeconds(30);
    }

    public async Task DisposeAsync()
    {
        _browser?.Quit();
        _browser?.Dispose();
        if (_gateway is not null)
        {
            await _gateway.DisposeAsync();
        }

        if (_dovecot is not null)
        {
            await _dovecot.DisposeAsync();
        }

        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_user_connects_the_mailbox_in_a_browser_and_then_fetches_mail_with_the_gateway_password()
    {
        var browser = _browser!;
        browser.Navigate().GoToUrl(_publicUrl + "/oauth2/connect");

        // Accessible: a language, one heading, every field labelled.
        Assert.Equal("en", browser.FindElement(By.TagName("html")).GetAttribute("lang"));
        Assert.Equal("Connect your mailbox", browser.FindElement(By.TagName("h1")).Text);
        Assert.Equal("User name", browser.FindElement(By.CssSelector("label[for=user]")).Text);
        Assert.Equal("Password", browser.FindElement(By.CssSelector("label[for=password]")).Text);
        Assert.Empty(browser.FindElements(By.TagName("script")));

        // A wrong password stays on the page, saying so.
        browser.FindElement(By.Id("user")).SendKeys("bob");
        browser.FindElement(By.Id("password")).SendKeys("wrong");
        browser.FindElement(By.Id("connect")).Click();
        await UntilAsync(() => browser.FindElements(By.CssSelector("[role=alert]")).Count > 0);
        Assert.Equal("Wrong user name or password.", browser.FindElement(By.CssSelector("[role=alert]")).Text);
        Assert.StartsWith(_publicUrl, browser.Url, StringComparison.Ordinal);

        browser.FindElement(By.Id("password")).SendKeys("hunter 2");
        browser.FindElement(By.Id("connect")).Click();
        await UntilAsync(() => browser.Url.StartsWith(_server.Issuer.ToString(), StringComparison.Ordinal));

        // At the provider: its sign-in and consent page, reached with PKCE and a state.
        Assert.StartsWith(_server.Issuer + "connect/authorize", browser.Url, StringComparison.Ordinal);
        Assert.Contains("code_challenge_method=S256", browser.Url, StringComparison.Ordinal);
        Assert.Contains("state=", browser.Url, StringComparison.Ordinal);
        Assert.Contains("access_type=offline", browser.Url, StringComparison.Ordinal);
        browser.FindElement(By.Id("mailbox")).SendKeys("bob@example.test");
        browser.FindElement(By.Id("allow")).Click();
        await UntilAsync(() => browser.Url.StartsWith(_publicUrl, StringComparison.Ordinal));

        Assert.Equal("Mailbox connected", browser.FindElement(By.TagName("h1")).Text);
        Assert.StartsWith(_publicUrl + "/oauth2/callback", browser.Url, StringComparison.Ordinal);
        Assert.Contains("The mailbox of bob is connected.", browser.FindElement(By.Id("result")).Text, StringComparison.Ordinal);
        Assert.Equal(1, _server.TokenRequests["authorization_code"]);

        // The mail client never saw any of it: the gateway password fetches the upstream mail.
        using var client = new Pop3Client();
        await client.ConnectAsync("127.0.0.1", _gateway!.Pop3EndPoint.Port, MailKit.Security.SecureSocketOptions.None);
        await client.AuthenticateAsync("bob", "hunter 2");
        Assert.Equal(1, client.Count);
        await using var message = await client.GetStreamAsync(0);
        using var copy = new MemoryStream();
        await message.CopyToAsync(copy);
        Assert.Equal(BobFirst, copy.ToArray());
        await client.DisconnectAsync(quit: true);
    }

    [Fact]
    public async Task A_callback_without_the_browser_cookie_of_its_attempt_is_refused()
    {
        var browser = _browser!;
        browser.Navigate().GoToUrl(_publicUrl + "/oauth2/connect");
        browser.FindElement(By.Id("user")).SendKeys("bob");
        browser.FindElement(By.Id("password")).SendKeys("hunter 2");
        browser.FindElement(By.Id("connect")).Click();
        await UntilAsync(() => browser.Url.StartsWith(_server.Issuer.ToString(), StringComparison.Ordinal));
        var authorizeUrl = browser.Url;
        var state = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(new Uri(authorizeUrl).Query)["state"].ToString();

        // Someone else's browser (no nonce cookie) presenting this state and any code gets nothing stored.
        browser.Manage().Cookies.DeleteAllCookies();
        browser.Navigate().GoToUrl($"{_publicUrl}/oauth2/callback?code=stolen&state={Uri.EscapeDataString(state)}");

        Assert.Equal("Mailbox not connected", browser.FindElement(By.TagName("h1")).Text);
        Assert.Null(_gateway!.TokenSource.Status("bob"));
        Assert.False(_server.TokenRequests.ContainsKey("authorization_code"));
    }

    /// <summary>Waits (polling, at most 20 s) for a page a click started to arrive.</summary>
    private static async Task UntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "The browser did not get there within 20 s.");
            await Task.Delay(50);
        }
    }
}
