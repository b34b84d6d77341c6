using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Pop3.Tests;

namespace Pop3.Server.Tests.Lmtp;

/// <summary>
/// A private Postfix (Debian package postfix) started from its own configuration folder with <c>postfix -c DIR start</c>:
/// its own queue, SMTP on a free port of 127.0.0.1 only, and mail for <c>example.org</c> handed over by LMTP to
/// <c>lmtp:inet:127.0.0.1:PORT</c>. Postfix's master must start as root (it drops to <c>mail_owner = postfix</c>), so
/// without root the test is skipped. Stopped, and its folder deleted, on dispose.
/// </summary>
public sealed class PostfixInstance : IAsyncDisposable
{
    private readonly string _postfix;

    private PostfixInstance(string postfix, string folder, int smtpPort)
    {
        _postfix = postfix;
        Folder = folder;
        SmtpPort = smtpPort;
    }

    public string Folder { get; }

    public int SmtpPort { get; }

    /// <summary>Postfix's own log (<c>maillog_file</c>), for assertion messages.</summary>
    public string Log => File.Exists(Path.Combine(Folder, "maillog")) ? File.ReadAllText(Path.Combine(Folder, "maillog")) : "(no log)";

    public static async Task<PostfixInstance> StartAsync(int lmtpPort, int lmtpConcurrency = 20)
    {
        var lookup = ExternalProgramLookup.FromEnvironment;
        var postfix = ExternalProgram.Postfix.Locate();
        if (OperatingSystem.IsWindows() || Environment.UserName != "root")
        {
            lookup.Unavailable("needs root to start a private Postfix (its master starts as root and drops to the postfix user)");
        }

        var folder = Directory.CreateTempSubdirectory("pop3-postfix-").FullName;

        // Postfix's processes run as the postfix user and must reach the queue through this folder.
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(folder, (UnixFileMode)Convert.ToInt32("755", 8));
        }
        Directory.CreateDirectory(Path.Combine(folder, "queue"));
        var config = Directory.CreateDirectory(Path.Combine(folder, "conf")).FullName;
        var smtpPort = LoopbackPorts.Take();
        await File.WriteAllTextAsync(Path.Combine(config, "main.cf"), string.Create(CultureInfo.InvariantCulture, $"""
            compatibility_level = 3.6
            queue_directory = {folder}/queue
            data_directory = {folder}/data
            mail_owner = postfix
            setgid_group = postdrop
            inet_interfaces = 127.0.0.1
            inet_protocols = ipv4
            myhostname = postfix.test
            mydomain = test
            myorigin = postfix.test
            mydestination =
            relay_domains = example.org
            transport_maps = inline:{"{"} example.org=lmtp:inet:127.0.0.1:{lmtpPort} {"}"}
            mynetworks = 127.0.0.0/8
            smtpd_relay_restrictions = permit_mynetworks, reject
            alias_maps =
            alias_database =
            local_recipient_maps =
            maillog_file = {folder}/maillog
            maillog_file_prefixes = {folder}
            smtputf8_enable = no
            biff = no
            lmtp_host_lookup = native
            smtp_host_lookup = native
            lmtp_destination_concurrency_limit = {lmtpConcurrency}
            default_process_limit = 100
            in_flow_delay = 0
            notify_classes =
            """));
        await File.WriteAllTextAsync(Path.Combine(config, "master.cf"), string.Create(CultureInfo.InvariantCulture, $"""
            127.0.0.1:{smtpPort} inet n - n - - smtpd
            pickup    unix  n       -       n       60      1       pickup
            cleanup   unix  n       -       n       -       0       cleanup
            qmgr      unix  n       -       n       300     1       qmgr
            rewrite   unix  -       -       n       -       -       trivial-rewrite
            bounce    unix  -       -       n       -       0       bounce
            defer     unix  -       -       n       -       0       bounce
            trace     unix  -       -       n       -       0       bounce
            verify    unix  -       -       n       -       1       verify
            flush     unix  n       -       n       1000?   0       flush
            proxymap  unix  -       -       n       -       -       proxymap
            smtp      unix  -       -       n       -       -       smtp
            relay     unix  -       -       n       -       -       smtp
            showq     unix  n       -       n       -       -       showq
            error     unix  -       -       n       -       -       error
            retry     unix  -       -       n       -       -       error
            discard   unix  -       -       n       -       -       discard
            lmtp      unix  -       -       n       -       -       lmtp
            anvil     unix  -       -       n       -       1       anvil
            scache    unix  -       -       n       -       1       scache
            postlog   unix-dgram n  -       n       -       1       postlogd
            """));

        var instance = new PostfixInstance(postfix, folder, smtpPort);
        try
        {
            var (code, output) = await instance.RunAsync("start");
            Assert.True(code == 0, $"postfix start exited {code}: {output}\n{instance.Log}");
            await instance.WaitForSmtpAsync();
            return instance;
        }
        catch
        {
            await instance.DisposeAsync();
            throw;
        }
    }

    private async Task WaitForSmtpAsync()
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, SmtpPort);
                return;
            }
            catch (SocketException) when (deadline.Elapsed < TimeSpan.FromSeconds(20))
            {
                await Task.Delay(50);
            }
        }
    }

    private async Task<(int Code, string Output)> RunAsync(string command)
    {
        var start = new ProcessStartInfo(_postfix) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { "-c", Path.Combine(Folder, "conf"), command })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        return (process.ExitCode, await output + await error);
    }

    public async ValueTask DisposeAsync()
    {
        if (File.Exists(Path.Combine(Folder, "queue", "pid", "master.pid")))
        {
            // "abort": stop at once; the queue is thrown away with the folder. "status" fails once the master is gone
            // (the pid file itself stays locked while it runs, so it is not read here).
            await RunAsync("abort");
            var waited = Stopwatch.StartNew();
            while ((await RunAsync("status")).Code == 0 && waited.Elapsed < TimeSpan.FromSeconds(20))
            {
                await Task.Delay(50);
            }
        }

        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
            // A Postfix process still closing a file: the temp folder is cleaned up later.
        }
    }
}
