using Pop3.Server.Tests.Infrastructure;

namespace Pop3.Server.Tests.Tls;

/// <summary>
/// Pop3:TlsMinimumVersion against a real client: openssl s_client asking for one protocol version, on the
/// implicit-TLS listener and over STLS. The client lowers its own OpenSSL security level, as an old client would have none.
/// </summary>
[Trait("Category", "Interop")]
public sealed class TlsMinimumVersionTests : IAsyncLifetime
{
    private readonly TestCertificates _certificates = new();
    private readonly Pop3ServerFactory _server = new();

    public Task InitializeAsync()
    {
        _certificates.Write();
        _server.WithInMemoryMail(new Pop3.Kestrel.Maildrops.InMemoryMailStore()).WithTls(_certificates);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _certificates.Dispose();
    }

    [Fact]
    public async Task Tls_1_0_and_1_1_are_refused_by_default()
    {
        var port = _server.EndPointOf("Secure").Port;
        foreach (var version in new[] { "-tls1", "-tls1_1" })
        {
            var result = await HandshakeAsync(port, version);
            Assert.NotEqual(0, result.ExitCode);
            Assert.Contains("Cipher is (NONE)", result.StandardOutput);
        }

        Assert.Contains("Protocol  : TLSv1.2", (await HandshakeAsync(port, "-tls1_2")).StandardOutput);
    }

    [Theory]
    [InlineData("1.0", "-tls1", "TLSv1")]
    [InlineData("TLSv1", "-tls1", "TLSv1")]
    [InlineData("1.0", "-tls1_1", "TLSv1.1")]
    [InlineData("1.0", "-tls1_3", "TLSv1.3")]
    public async Task A_lower_minimum_version_lets_old_clients_in_on_port_995(string minimum, string clientVersion, string negotiated)
    {
        _server.With("Pop3:TlsMinimumVersion", minimum);
        var result = await HandshakeAsync(_server.EndPointOf("Secure").Port, clientVersion);
        Assert.True(result.StandardOutput.Contains($"Protocol  : {negotiated}\n", StringComparison.Ordinal), result.ToString());
        Assert.Contains("+OK Pop3.Kestrel ready", result.StandardOutput);
    }

    [Fact]
    public async Task Tls_1_1_as_minimum_still_refuses_tls_1_0_and_serves_1_1_over_stls()
    {
        _server.With("Pop3:TlsMinimumVersion", "1.1");
        Assert.NotEqual(0, (await HandshakeAsync(_server.EndPointOf("Secure").Port, "-tls1")).ExitCode);

        var stls = await ExternalTool.RunWithInputAsync("openssl", "openssl", _certificates.Folder, "CAPA\nQUIT\n",
            "s_client", "-connect", $"127.0.0.1:{_server.Pop3EndPoint.Port}", "-starttls", "pop3", "-tls1_1", "-cipher", "DEFAULT:@SECLEVEL=0", "-crlf", "-ign_eof");
        Assert.True(stls.StandardOutput.Contains("Protocol  : TLSv1.1\n", StringComparison.Ordinal), stls.ToString());
        Assert.Contains("+OK Logging out", stls.StandardOutput);
    }

    [Fact]
    public async Task Legacy_versions_never_bring_null_ciphers()
    {
        _server.With("Pop3:TlsMinimumVersion", "1.0");
        var port = _server.EndPointOf("Secure").Port;
        foreach (var version in new[] { "-tls1", "-tls1_2" })
        {
            var result = await ExternalTool.RunWithInputAsync("openssl", "openssl", _certificates.Folder, "",
                "s_client", "-connect", $"127.0.0.1:{port}", version, "-cipher", "eNULL:aNULL:@SECLEVEL=0");
            Assert.NotEqual(0, result.ExitCode);
            Assert.Contains("Cipher is (NONE)", result.StandardOutput);
        }
    }

    [Fact]
    public async Task Tls_1_3_as_minimum_refuses_tls_1_2()
    {
        _server.With("Pop3:TlsMinimumVersion", "1.3");
        var port = _server.EndPointOf("Secure").Port;
        Assert.NotEqual(0, (await HandshakeAsync(port, "-tls1_2")).ExitCode);
        Assert.Contains("Protocol  : TLSv1.3", (await HandshakeAsync(port, "-tls1_3")).StandardOutput);
    }

    private Task<ExternalToolResult> HandshakeAsync(int port, string version) =>
        ExternalTool.RunWithInputAsync("openssl", "openssl", _certificates.Folder, "QUIT\n",
            "s_client", "-connect", $"127.0.0.1:{port}", version, "-cipher", "DEFAULT:@SECLEVEL=0", "-crlf", "-ign_eof");
}
