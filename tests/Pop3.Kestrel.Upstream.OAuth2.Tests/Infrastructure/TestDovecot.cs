using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Pop3.Kestrel.Upstream.OAuth2.Tests.Infrastructure;

/// <summary>
/// A private Dovecot (Debian's dovecot-core, dovecot-imapd, dovecot-pop3d) on 127.0.0.1 whose only passdbs are
/// <c>oauth2</c>, validating every token at the test's authorization server by introspection: the first passdb accepts
/// a user token naming the login's mailbox (<c>username</c>), the second an app-only token for the whole tenant
/// (<c>tenant_mailboxes</c>, compared by domain). Mail is written straight into its Maildirs. Runs in the foreground as
/// a child process, stopped (its process tree) on dispose.
/// </summary>
internal sealed class TestDovecot : IAsyncDisposable
{
    private static int _delivered;
    private readonly Process _process;

    private TestDovecot(string root, Process process, int imapPort, int pop3Port)
    {
        Root = root;
        _process = process;
        ImapPort = imapPort;
        Pop3Port = pop3Port;
    }

    public string Root { get; }

    public int ImapPort { get; }

    public int Pop3Port { get; }

    public string Log => File.Exists(Path.Combine(Root, "dovecot.log")) ? File.ReadAllText(Path.Combine(Root, "dovecot.log")) : "";

    public static async Task<TestDovecot> StartAsync(TestAuthorizationServer authorization)
    {
        var dovecot = ExternalProgram.Dovecot.Locate();
        ExternalProgram.DovecotPop3.Locate();
        var root = Path.Combine(Path.GetTempPath(), "pop3-dovecot-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path.Combine(root, "mail"));
        var open = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute
            | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;
        File.SetUnixFileMode(root, open);

        // Mail processes run as nobody (Dovecot refuses root): the mail folder is theirs to write.
        File.SetUnixFileMode(Path.Combine(root, "mail"), open | UnixFileMode.GroupWrite | UnixFileMode.OtherWrite);

        // Dovecot cannot listen on port 0 and say which port it got: free ports are found just before it starts.
        var ports = LoopbackPorts.Take(2);
        var (imapPort, pop3Port) = (ports[0], ports[1]);
        var introspection = new UriBuilder(authorization.IntrospectionEndpoint)
        {
            UserName = TestAuthorizationServer.DovecotClientId,
            Password = TestAuthorizationServer.DovecotSecret,
        }.Uri.ToString();
        WriteExt(Path.Combine(root, "oauth2-user.conf.ext"), introspection, "username", "%Lu");
        WriteExt(Path.Combine(root, "oauth2-app.conf.ext"), introspection, TestAuthorizationServer.TenantClaim, "%Ld");
        var config = Path.Combine(root, "dovecot.conf");
        await File.WriteAllTextAsync(config, $$"""
            protocols = imap pop3
            listen = 127.0.0.1
            base_dir = {{root}}/run
            state_dir = {{root}}/state
            log_path = {{root}}/dovecot.log
            info_log_path = {{root}}/dovecot.log
            debug_log_path = {{root}}/dovecot.log
            auth_debug = yes
            auth_verbose = yes
            ssl = no
            disable_plaintext_auth = no
            auth_mechanisms = xoauth2 oauthbearer
            mail_location = maildir:{{root}}/mail/%Lu
            pop3_uidl_format = %08Xu%08Xv
            default_internal_user = dovecot
            default_login_user = dovenull
            service imap-login {
              inet_listener imap {
                address = 127.0.0.1
                port = {{imapPort}}
              }
              inet_listener imaps {
                port = 0
              }
            }
            service pop3-login {
              inet_listener pop3 {
                address = 127.0.0.1
                port = {{pop3Port}}
              }
              inet_listener pop3s {
                port = 0
              }
            }
            passdb {
              driver = oauth2
              args = {{root}}/oauth2-user.conf.ext
            }
            passdb {
              driver = oauth2
              args = {{root}}/oauth2-app.conf.ext
            }
            userdb {
              driver = static
              args = uid=nobody gid=nogroup home={{root}}/mail/%Lu
            }
            """);
        var start = new ProcessStartInfo(dovecot) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var argument in new[] { "-F", "-c", config })
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("dovecot did not start.");
        var self = new TestDovecot(root, process, imapPort, pop3Port);
        try
        {
            await self.WaitUntilListeningAsync();
        }
        catch
        {
            await self.DisposeAsync();
            throw;
        }

        return self;
    }

    /// <summary>Puts a message in <paramref name="mailbox"/>'s Maildir, as delivery would (written in tmp, moved to new).</summary>
    public void Deliver(string mailbox, byte[] message)
    {
        var maildir = Path.Combine(Root, "mail", mailbox.ToLowerInvariant());
        var dirMode = (UnixFileMode)0b111_111_111;
        foreach (var folder in new[] { maildir, Path.Combine(maildir, "tmp"), Path.Combine(maildir, "new"), Path.Combine(maildir, "cur") })
        {
            Directory.CreateDirectory(folder);
            File.SetUnixFileMode(folder, dirMode);
        }

        // Dovecot numbers new files by the time in their names (seconds, then the M microseconds field): delivery order.
        var name = $"{DateTimeOffset.UtcNow.ToUnixTimeSeconds()}.M{Interlocked.Increment(ref _delivered)}P{Environment.ProcessId}.test";
        var temporary = Path.Combine(maildir, "tmp", name);
        File.WriteAllBytes(temporary, message);
        File.SetUnixFileMode(temporary, (UnixFileMode)0b110_110_110);
        File.Move(temporary, Path.Combine(maildir, "new", name));
    }

    /// <summary>How many messages <paramref name="mailbox"/>'s Maildir holds.</summary>
    public int Count(string mailbox)
    {
        var maildir = Path.Combine(Root, "mail", mailbox.ToLowerInvariant());
        return Directory.Exists(maildir) ? Directory.GetFiles(Path.Combine(maildir, "new")).Length + Directory.GetFiles(Path.Combine(maildir, "cur")).Length : 0;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A process of the tree may still hold a socket file for a moment; the folder is in the temp area.
        }
    }

    private static void WriteExt(string path, string introspection, string usernameAttribute, string usernameFormat)
    {
        File.WriteAllText(path, $"""
            introspection_mode = post
            introspection_url = {introspection}
            username_attribute = {usernameAttribute}
            username_format = {usernameFormat}
            active_attribute = active
            active_value = true
            debug = yes
            """);
        File.SetUnixFileMode(path, (UnixFileMode)0b110_100_100);
    }

    private async Task WaitUntilListeningAsync()
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"dovecot exited with {_process.ExitCode}: {await _process.StandardError.ReadToEndAsync()} {Log}");
            }

            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, Pop3Port);
                var buffer = new byte[64];
                var read = await client.GetStream().ReadAsync(buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(5));
                if (Encoding.ASCII.GetString(buffer, 0, read).StartsWith("+OK", StringComparison.Ordinal))
                {
                    return;
                }
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
            }

            if (DateTime.UtcNow >= deadline)
            {
                throw new TimeoutException("dovecot did not listen within 30 s: " + Log);
            }

            await Task.Delay(50);
        }
    }
}
