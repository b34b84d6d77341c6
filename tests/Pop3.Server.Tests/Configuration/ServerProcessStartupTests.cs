using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Pop3.Server.Tests.Crash;
using Pop3.Server.Tests.Infrastructure;

namespace Pop3.Server.Tests.Configuration;

/// <summary>
/// The built server (dotnet Pop3.Server.dll) as an operator starts it: a wrong setting or a start-up failure ends the
/// process within seconds with one message naming the key or the listener, a sysexits code, and no stack trace.
/// </summary>
[Trait("Category", "Slow")]
public sealed partial class ServerProcessStartupTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("pop3-startup-").FullName;

    public ServerProcessStartupTests() => File.WriteAllText(Path.Combine(_root, "users"), "alice:{PLAIN}secret\n");

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Theory]
    [InlineData("--Pop3:Endpoints:Default:Port=abc", "Pop3:Endpoints:Default:Port is 'abc'; it must be a whole number from 0 to 65535.")]
    [InlineData("--Pop3:Endpoints:Default:Tls=Implict", "Pop3:Endpoints:Default:Tls is 'Implict'; it must be one of: None, Implicit.")]
    [InlineData("--Pop3:Greting=x", "Pop3:Greting is not a known setting; did you mean Pop3:Greeting?")]
    [InlineData("--Pop3:Endpoints:Second:Port=abc", "Pop3:Endpoints:Second:Port is 'abc'; it must be a whole number from 0 to 65535.")]
    public async Task A_wrong_setting_exits_78_naming_the_key(string setting, string message)
    {
        var (code, _, error) = await RunAsync(setting);
        Assert.Equal(78, code);
        Assert.Equal($"Pop3.Server: {message}\nPop3.Server: not started: configuration error (exit 78).\n", error);
    }

    [Fact]
    public async Task A_wrong_setting_in_the_environment_exits_78_naming_the_key()
    {
        var (code, _, error) = await RunAsync([], new() { ["Pop3__Endpoints__Second__Tls"] = "Implict" });
        Assert.Equal(78, code);
        Assert.StartsWith("Pop3.Server: Pop3:Endpoints:Second:Tls is 'Implict'; it must be one of: None, Implicit.\n", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_greeting_too_long_exits_78()
    {
        var (code, _, error) = await RunAsync("--Pop3:Greeting=" + new string('x', 600));
        Assert.Equal(78, code);
        Assert.Equal(
            "Pop3.Server: Pop3:Greeting is too long: with \"+OK \" and CRLF it is 606 octets; at most 512 are allowed (RFC 2449 §4).\n" +
            "Pop3.Server: not started: configuration error (exit 78).\n", error);
    }

    [Theory]
    [InlineData("--Pop3:Limits:MinAuthorizationTimeout=00:00:00", "Pop3:Limits:MinAuthorizationTimeout is 00:00:00; it must be a positive duration such as 00:00:10.")]
    [InlineData("--Pop3:Limits:MaxUnauthenticatedConnections=-1", "Pop3:Limits:MaxConnections, MaxConnectionsPerIp, MaxConnectionsPerUserIp and MaxUnauthenticatedConnections must not be negative (0 means no limit).")]
    public async Task An_admission_limit_out_of_range_exits_78(string setting, string message)
    {
        var (code, _, error) = await RunAsync(setting);
        Assert.Equal(78, code);
        Assert.Equal($"Pop3.Server: {message}\nPop3.Server: not started: configuration error (exit 78).\n", error);
    }

    [Fact]
    public async Task A_missing_certificate_exits_78_naming_the_key()
    {
        var missing = Path.Combine(_root, "missing.pem");
        var (code, _, error) = await RunAsync("--Pop3:Endpoints:Secure:Tls=Implicit", "--Pop3:Endpoints:Secure:Address=127.0.0.1",
            "--Pop3:Endpoints:Secure:Port=0", $"--Pop3:Certificate:Path={missing}");
        Assert.Equal(78, code);
        Assert.StartsWith($"Pop3.Server: Pop3:Certificate:Path '{missing}' could not be loaded", error, StringComparison.Ordinal);
        NoStackTrace(error);
    }

    [Theory]
    [InlineData("Default")]
    [InlineData("Secure")]
    public async Task A_pop3_port_in_use_exits_1_naming_the_listener(string listener)
    {
        using var holder = HoldPort(out var port);
        var (code, _, error) = await RunAsync($"--Pop3:Endpoints:{listener}:Address=127.0.0.1", $"--Pop3:Endpoints:{listener}:Port={port}");
        Assert.Equal(1, code);
        Assert.Equal($"Pop3.Server: Pop3:Endpoints:{listener} (127.0.0.1:{port}): address already in use\nPop3.Server: not started (exit 1).\n", error);
    }

    [Fact]
    public async Task The_admin_port_in_use_exits_1_naming_the_key()
    {
        using var holder = HoldPort(out var port);
        var (code, _, error) = await RunAsync($"--Pop3:Admin:Port={port}");
        Assert.Equal(1, code);
        Assert.Equal($"Pop3.Server: Pop3:Admin:Port {port} (127.0.0.1): address already in use\nPop3.Server: not started (exit 1).\n", error);
    }

    [Fact]
    public async Task Verbose_adds_the_stack_trace()
    {
        using var holder = HoldPort(out var port);
        var (code, _, error) = await RunAsync("--verbose", $"--Pop3:Endpoints:Default:Port={port}");
        Assert.Equal(1, code);
        Assert.Contains("System.IO.IOException: Failed to bind to address", error, StringComparison.Ordinal);
        Assert.Matches(StackFrame(), error);
    }

    [Fact]
    public async Task A_misspelt_command_is_a_usage_error_that_names_the_command_and_starts_nothing()
    {
        var (code, output, error) = await RunAsync("hash-pasword");
        Assert.Equal(64, code);
        Assert.Contains("'hash-pasword' was not matched. Did you mean one of the following?\nhash-password", error, StringComparison.Ordinal);
        Assert.DoesNotContain("listening", output + error, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Kestrel_announces_no_pop3_listener_as_http()
    {
        await using var server = await ServerProcess.StartAsync(_root);
        var log = string.Join('\n', server.Log);
        Assert.Contains($"POP3 listening on {server.EndPoint} (Pop3:Endpoints:Default, plain)", log, StringComparison.Ordinal);
        Assert.DoesNotContain($"Now listening on: http://{server.EndPoint}", log, StringComparison.Ordinal);
    }

    private static void NoStackTrace(string text) => Assert.DoesNotMatch(StackFrame(), text);

    private static Socket HoldPort(out int port)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        socket.Listen();
        port = ((IPEndPoint)socket.LocalEndPoint!).Port;
        return socket;
    }

    private Task<(int Code, string Output, string Error)> RunAsync(params string[] settings) => RunAsync(settings, []);

    /// <summary>Runs the server with free ports and this test's users file; it must have exited within 10 s.</summary>
    private async Task<(int Code, string Output, string Error)> RunAsync(string[] settings, Dictionary<string, string> environment)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        string[] arguments =
        [
            Path.Combine(AppContext.BaseDirectory, "Pop3.Server.dll"),
            "--Pop3:Endpoints:Default:Address=127.0.0.1",
            "--Pop3:Endpoints:Default:Port=0",
            "--Pop3:Admin:Address=127.0.0.1",
            "--Pop3:Admin:Port=0",
            $"--Pop3:Maildir:Path={Path.Combine(_root, "{user}", "Maildir")}",
            $"--Pop3:Authentication:UsersFile={Path.Combine(_root, "users")}",
            $"--Pop3:DataPath={Path.Combine(_root, "data")}",
            .. settings,
        ];
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill();
            Assert.Fail("The server was still running after 10 s: " + await error);
        }

        var stderr = (await error).ReplaceLineEndings("\n");
        if (!settings.Contains("--verbose"))
        {
            // Neither in the message nor in the log (Kestrel's and the host's own error lines carry the exception).
            NoStackTrace(await output + stderr);
        }

        return (process.ExitCode, await output, stderr);
    }

    [GeneratedRegex(@"^\s+at \S", RegexOptions.Multiline)]
    private static partial Regex StackFrame();
}
