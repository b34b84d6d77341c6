using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Pop3.Server.Tests.Infrastructure;

/// <summary>
/// A private Dovecot daemon serving IMAP and POP3 on loopback, on ports the system picked, with users from a
/// passwd-file of plaintext passwords and a Maildir each under a temporary folder. Messages are delivered as files in
/// the Maildir, named so that Dovecot gives them UIDs in delivery order. Stopped and deleted on dispose.
/// </summary>
public sealed class DovecotServer : IAsyncDisposable
{
    private readonly TempDirectory _root = new();
    private readonly (int Uid, int Gid) _mailUser = MailUser();
    private Process? _process;
    private int _delivered;
    private bool _disposed;

    private DovecotServer()
    {
    }

    /// <summary>The IMAP listener (no TLS).</summary>
    public IPEndPoint ImapEndPoint { get; private set; } = null!;

    /// <summary>The POP3 listener (no TLS).</summary>
    public IPEndPoint Pop3EndPoint { get; private set; } = null!;

    /// <summary>Dovecot's log so far, for a failing assertion's message.</summary>
    public string Log => File.Exists(_root["dovecot.log"]) ? File.ReadAllText(_root["dovecot.log"]) : "";

    /// <summary>
    /// Starts Dovecot with <paramref name="users"/> (name, password); <paramref name="extraConfiguration"/> is appended
    /// to the configuration (another passdb, settings). Skips the test when Dovecot or its IMAP and POP3 parts are not installed.
    /// </summary>
    public static async Task<DovecotServer> StartAsync(IEnumerable<(string User, string Password)> users, string extraConfiguration = "")
    {
        var dovecot = ExternalProgram.Dovecot.Locate();
        ExternalProgram.DovecotImap.Locate();
        ExternalProgram.DovecotPop3.Locate();
        var server = new DovecotServer();
        try
        {
            await server.StartAsync(dovecot, users, extraConfiguration);
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>Delivers <paramref name="message"/> to <paramref name="user"/>'s INBOX as a new Maildir file.</summary>
    public void Deliver(string user, byte[] message)
    {
        var maildir = MaildirOf(user);
        foreach (var folder in new[] { "cur", "new", "tmp" })
        {
            Directory.CreateDirectory(Path.Combine(maildir, folder));
        }

        // Dovecot gives new files UIDs in the order of their names' timestamps.
        var n = Interlocked.Increment(ref _delivered);
        var path = Path.Combine(maildir, "new", string.Create(CultureInfo.InvariantCulture, $"{1_700_000_000 + n}.M{n}P1.dovecot-test"));
        File.WriteAllBytes(path, message);
        Own(Path.Combine(_root.Path, "mail"));
    }

    /// <summary>The Maildir of <paramref name="user"/>'s INBOX.</summary>
    public string MaildirOf(string user) => Path.Combine(_root.Path, "mail", user, "Maildir");

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (_process is { HasExited: false } process)
        {
            // "dovecot stop" has the master stop its children too; killing the master would leave them running.
            using (var stop = Process.Start(ExternalProgram.Dovecot.Locate(), ["-c", _root["dovecot.conf"], "stop"]))
            {
                await stop.WaitForExitAsync();
            }

            using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            try
            {
                await process.WaitForExitAsync(limit.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
            }
        }

        _process?.Dispose();
        _root.Dispose();
    }

    private async Task StartAsync(string dovecot, IEnumerable<(string User, string Password)> users, string extraConfiguration)
    {
        // Dovecot's processes run as other users (mail, dovenull): they must reach the folders under the root.
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(_root.Path, (UnixFileMode)0b111_101_101);
        }

        var state = _root["state"];
        Directory.CreateDirectory(state);
        Directory.CreateDirectory(_root["run"]);
        Directory.CreateDirectory(_root["mail"]);
        await File.WriteAllLinesAsync(_root["passwd"], users.Select(u => $"{u.User}:{{PLAIN}}{u.Password}"));
        var ports = LoopbackPorts.Take(2);
        var (imap, pop3) = (ports[0], ports[1]);
        var (uid, gid) = _mailUser;
        var asRoot = CurrentIds().Uid == 0;
        var self = asRoot ? "" : $"""
            default_login_user = {Environment.UserName}
            default_internal_user = {Environment.UserName}
            """;
        await File.WriteAllTextAsync(_root["dovecot.conf"], $$"""
            base_dir = {{_root["run"]}}
            state_dir = {{state}}
            log_path = {{_root["dovecot.log"]}}
            protocols = imap pop3
            listen = 127.0.0.1
            ssl = no
            disable_plaintext_auth = no
            auth_mechanisms = plain login
            mail_location = maildir:{{_root["mail"]}}/%u/Maildir
            first_valid_uid = {{uid}}
            first_valid_gid = {{gid}}
            pop3_uidl_format = %08Xu%08Xv
            {{self}}
            passdb {
              driver = passwd-file
              args = {{_root["passwd"]}}
            }
            userdb {
              driver = static
              args = uid={{uid}} gid={{gid}} home={{_root["mail"]}}/%u
            }
            service imap-login {
              inet_listener imap {
                port = {{imap}}
              }
              inet_listener imaps {
                port = 0
              }
            }
            service pop3-login {
              inet_listener pop3 {
                port = {{pop3}}
              }
              inet_listener pop3s {
                port = 0
              }
            }
            {{extraConfiguration}}

            """);
        Own(_root["mail"]);

        var start = new ProcessStartInfo(dovecot) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "-F", "-c", _root["dovecot.conf"] })
        {
            start.ArgumentList.Add(argument);
        }

        _process = Process.Start(start) ?? throw new InvalidOperationException("Dovecot did not start.");
        ImapEndPoint = new IPEndPoint(IPAddress.Loopback, imap);
        Pop3EndPoint = new IPEndPoint(IPAddress.Loopback, pop3);
        await WaitForGreetingAsync(ImapEndPoint, "* OK");
        await WaitForGreetingAsync(Pop3EndPoint, "+OK");
    }

    /// <summary>Connects until the listener greets: Dovecot binds its ports a moment after it starts.</summary>
    private async Task WaitForGreetingAsync(IPEndPoint endPoint, string greeting)
    {
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            if (_process!.HasExited)
            {
                throw new InvalidOperationException($"Dovecot exited with {_process.ExitCode}: {await _process.StandardError.ReadToEndAsync()}\n{Log}");
            }

            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(endPoint, limit.Token);
                var buffer = new byte[256];
                var n = await client.GetStream().ReadAsync(buffer, limit.Token);
                if (Encoding.ASCII.GetString(buffer, 0, n).StartsWith(greeting, StringComparison.Ordinal))
                {
                    return;
                }
            }
            catch (SocketException) when (!limit.IsCancellationRequested)
            {
                await Task.Delay(50, limit.Token);
            }
        }
    }

    /// <summary>Gives the mail to the user Dovecot reads it as (it refuses to access mail as root).</summary>
    private void Own(string path)
    {
        if (CurrentIds().Uid != 0)
        {
            return;
        }

        using var chown = Process.Start(ExternalProgram.Chown.Locate(), ["-R", $"{_mailUser.Uid}:{_mailUser.Gid}", path]);
        chown.WaitForExit();
    }

    /// <summary>Who Dovecot accesses the mail as: this process's user, or 'mail' for root.</summary>
    internal static (int Uid, int Gid) MailUser()
    {
        var current = CurrentIds();
        if (current.Uid != 0)
        {
            return current;
        }

        var mail = File.ReadAllLines("/etc/passwd").Select(l => l.Split(':')).FirstOrDefault(f => f[0] == "mail")
            ?? throw new InvalidOperationException("Running as root, Dovecot needs a user to access mail as, and there is no 'mail' user.");
        return (int.Parse(mail[2], CultureInfo.InvariantCulture), int.Parse(mail[3], CultureInfo.InvariantCulture));
    }

    internal static (int Uid, int Gid) CurrentIds()
    {
        var status = File.ReadAllLines("/proc/self/status");
        int Field(string name) => int.Parse(status.First(l => l.StartsWith(name, StringComparison.Ordinal)).Split('\t')[1], CultureInfo.InvariantCulture);
        return (Field("Uid:"), Field("Gid:"));
    }
}
