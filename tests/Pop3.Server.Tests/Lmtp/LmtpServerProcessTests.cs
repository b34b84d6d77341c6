using System.Net;
using System.Net.Sockets;
using Pop3.Server.Tests.Crash;

namespace Pop3.Server.Tests.Lmtp;

/// <summary>The built server as a process: its LMTP listener is announced once, by key, and a busy LMTP port is named at start-up.</summary>
public sealed class LmtpServerProcessTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("pop3-lmtp-process-").FullName;

    public LmtpServerProcessTests() => File.WriteAllText(Path.Combine(_root, "users"), "alice:{PLAIN}secret\n");

    [Fact]
    public async Task The_lmtp_listener_is_announced_by_its_key_and_not_as_http()
    {
        await using var server = await ServerProcess.StartAsync(_root, "--Pop3:Lmtp:Endpoints:Default:Address=127.0.0.1", "--Pop3:Lmtp:Endpoints:Default:Port=0");
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (!server.Log.Any(line => line.Contains("LMTP listening on 127.0.0.1:", StringComparison.Ordinal)) && waited.Elapsed < TimeSpan.FromSeconds(30))
        {
            await Task.Delay(50);
        }

        var log = string.Join('\n', server.Log);
        var match = System.Text.RegularExpressions.Regex.Match(log, @"LMTP listening on (\S+) \(Pop3:Lmtp:Endpoints:Default\)");
        Assert.True(match.Success, log);
        Assert.DoesNotContain("Now listening on: http://" + match.Groups[1].Value, log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_lmtp_port_in_use_stops_start_up_naming_the_listener()
    {
        using var holder = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        holder.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        holder.Listen();
        var port = ((IPEndPoint)holder.LocalEndPoint!).Port;

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            ServerProcess.StartAsync(_root, "--Pop3:Lmtp:Endpoints:Default:Address=127.0.0.1", $"--Pop3:Lmtp:Endpoints:Default:Port={port}"));

        Assert.Contains($"Pop3.Server: Pop3:Lmtp:Endpoints:Default (127.0.0.1:{port}): address already in use", error.Message, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
