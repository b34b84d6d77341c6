using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Pop3.Kestrel.Authentication;
using Pop3.Server.Tests.Infrastructure;

namespace Pop3.Server.Tests.Stores;

/// <summary>
/// A Maildir that Dovecot served lists here exactly as Dovecot listed it: the same message numbers for the same
/// messages, with the same sizes and UIDLs. Dovecot's own POP3 process (Debian's dovecot-pop3d) is run over
/// stdin/stdout on a copy of the Maildir, pre-authenticated, so no Dovecot service or port is involved.
/// </summary>
[Trait("Category", "Interop")]
public sealed class DovecotOrderTests : IDisposable
{
    private readonly TempDirectory _home = new();

    public void Dispose() => _home.Dispose();

    /// <summary>
    /// 25 messages as Dovecot's LDA names them, over a few seconds (some in the same second, where only the
    /// microseconds tell them apart, M9 before M10); 20 of them in a uidlist that gave UIDs in another order and saved
    /// a POP3 order (O) for three, and 5 delivered after Dovecot last looked, so that no order of names is Dovecot's.
    /// </summary>
    private static (string Name, string Body)[] Messages()
    {
        var random = new Random(14);
        var messages = new List<(string, string)>();
        for (var i = 0; i < 25; i++)
        {
            var second = 1_795_708_400 + random.Next(0, 6);
            var micros = random.Next(2) == 0 ? random.Next(1, 20) : random.Next(100_000, 999_999);
            var body = $"Subject: message {i}\n\nbody of message {i}\n";
            var sizes = i % 2 == 0 ? $",S={body.Length},W={body.Length + 3}" : "";
            messages.Add(($"{second}.M{micros}P{1000 + i}.vm{sizes}", body));
        }

        return [.. messages];
    }

    private static string UidList((string Name, string Body)[] messages)
    {
        // UIDs in an order of their own (Dovecot writes the lines by UID); the last five messages are not listed.
        var uids = Enumerable.Range(0, 20).Select(i => (Uid: (uint)(3 + ((i * 7) % 20) * 2), Index: i)).OrderBy(e => e.Uid);
        var text = new StringBuilder("3 V1795708478 N100\n");
        foreach (var (uid, index) in uids)
        {
            var order = index switch { 4 => "O2 ", 11 => "O1 ", 17 => "O3 ", _ => "" };
            text.Append(CultureInfo.InvariantCulture, $"{uid} {order}:{messages[index].Name}\n");
        }

        return text.ToString();
    }

    private static void WriteMaildir(string root, (string Name, string Body)[] messages, string uidList)
    {
        foreach (var folder in new[] { "cur", "new", "tmp" })
        {
            Directory.CreateDirectory(Path.Combine(root, folder));
        }

        foreach (var (name, body) in messages)
        {
            File.WriteAllText(Path.Combine(root, "cur", name + ":2,"), body);
        }

        File.WriteAllText(Path.Combine(root, "dovecot-uidlist"), uidList);
    }

    [Fact]
    public async Task A_Maildir_from_Dovecot_lists_with_the_message_numbers_Dovecot_gave()
    {
        var messages = Messages();
        var uidList = UidList(messages);
        var dovecotRoot = Path.Combine(_home.Path, "dovecot", "Maildir");
        WriteMaildir(dovecotRoot, messages, uidList);
        WriteMaildir(Path.Combine(_home.Path, "mail", "alice", "Maildir"), messages, uidList);

        var dovecot = await DovecotListingAsync(dovecotRoot, messages.Length);
        await using var server = new Pop3ServerFactory()
            .WithServices(s => s.AddSingleton<IPop3Authenticator, TestUsers>())
            .With("Pop3:Maildir:Path", Path.Combine(_home.Path, "mail", "{user}", "Maildir"));
        var ours = await OurListingAsync(server, messages.Length);

        // The files Dovecot had not seen get new UIDLs from Dovecot (their file names without size fields here); all else
        // is the same.
        var listed = uidList.Split('\n').Skip(1).Where(l => l.Length > 0).Select(l => l[(l.IndexOf(':', StringComparison.Ordinal) + 1)..]).ToHashSet();
        Assert.Equal(messages.Length, dovecot.Count);
        Assert.Equal(dovecot.Select(m => m.Size), ours.Select(m => m.Size));
        Assert.Equal(dovecot.Select(m => m.Body), ours.Select(m => m.Body));
        Assert.Equal(
            dovecot.Select(m => listed.Contains(NameOf(messages, m.Body)) ? m.Uidl : NameOf(messages, m.Body).Split(',')[0]),
            ours.Select(m => m.Uidl));

        // The order is not the order of the names, or this test would prove nothing.
        Assert.NotEqual(messages.Select(m => m.Name).Order(StringComparer.Ordinal), dovecot.Select(m => NameOf(messages, m.Body)));
    }

    [Fact]
    public async Task After_Dovecot_gave_UIDs_to_new_files_the_listing_is_the_same_byte_for_byte()
    {
        var messages = Messages();
        var root = Path.Combine(_home.Path, "mail", "alice", "Maildir");
        WriteMaildir(root, messages, UidList(messages));

        // Dovecot serves the Maildir first and writes the UIDs it gave the five new files into the uidlist.
        var dovecot = await DovecotListingAsync(root, messages.Length);
        await using var server = new Pop3ServerFactory()
            .WithServices(s => s.AddSingleton<IPop3Authenticator, TestUsers>())
            .With("Pop3:Maildir:Path", Path.Combine(_home.Path, "mail", "{user}", "Maildir"));
        var ours = await OurListingAsync(server, messages.Length);

        Assert.Equal(dovecot, ours);
    }

    private static string NameOf((string Name, string Body)[] messages, string body) =>
        messages.Single(m => m.Body.Replace("\n", "\r\n", StringComparison.Ordinal) == body).Name;

    /// <summary>What a client sees per message number: LIST size, UIDL, and the message RETR gives.</summary>
    private sealed record Listed(int Number, string Size, string Uidl, string Body);

    private static async Task<List<Listed>> OurListingAsync(Pop3ServerFactory server, int count)
    {
        await using var client = await RawPop3Client.ConnectAsync(server.Pop3EndPoint);
        await client.LoginAsync();
        var script = new StringBuilder();
        foreach (var command in Script(count))
        {
            var first = await client.CommandAsync(command);
            script.Append(first).Append("\r\n");
            if (command != "QUIT" && first.StartsWith("+OK", StringComparison.Ordinal))
            {
                script.Append(Encoding.Latin1.GetString(await client.ReadMultiLineBodyAsync()));
            }
        }

        return Parse(script.ToString(), count);
    }

    /// <summary>Runs Dovecot's POP3 process pre-authenticated on <paramref name="maildir"/> with the same commands.</summary>
    private async Task<List<Listed>> DovecotListingAsync(string maildir, int count)
    {
        var dovecotPop3 = ExternalProgram.DovecotPop3.Locate();
        var state = Path.Combine(_home.Path, "dovecot-state");
        Directory.CreateDirectory(state);
        var log = Path.Combine(state, "dovecot.log");
        var (uid, gid) = DovecotServer.MailUser();
        var conf = Path.Combine(state, "dovecot.conf");
        await File.WriteAllTextAsync(conf, $"""
            base_dir = {state}/run
            state_dir = {state}
            log_path = {log}
            protocols = pop3
            ssl = no
            mail_location = maildir:{maildir}:INDEX=MEMORY
            mail_uid = {uid}
            mail_gid = {gid}
            first_valid_uid = {uid}
            first_valid_gid = {gid}
            pop3_uidl_format = %08Xu%08Xv
            pop3_no_flag_updates = yes

            """);

        // Dovecot refuses to touch mail as root: then it runs as 'mail', which must own the Maildir.
        if (uid != DovecotServer.CurrentIds().Uid)
        {
            await RunAsync("chown", "-R", $"{uid}:{gid}", _home.Path);
        }

        var start = new ProcessStartInfo(dovecotPop3)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.Latin1,
        };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(conf);
        start.Environment["USER"] = "alice";
        start.Environment["HOME"] = _home.Path;
        using var process = Process.Start(start) ?? throw new InvalidOperationException("Dovecot's pop3 did not start.");
        await process.StandardInput.WriteAsync(string.Concat(Script(count).Select(c => c + "\r\n")));
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        var transcript = await output;
        var dovecotLog = File.Exists(log) ? await File.ReadAllTextAsync(log) : "";
        Assert.True(
            process.ExitCode == 0 && transcript.StartsWith("+OK", StringComparison.Ordinal),
            $"Dovecot's pop3 exited with {process.ExitCode}:\n{transcript}\n{await error}\n{dovecotLog}");
        Assert.DoesNotContain("Error", dovecotLog, StringComparison.Ordinal);
        return Parse(transcript, count);
    }

    private static IEnumerable<string> Script(int count) =>
        ["LIST", "UIDL", .. Enumerable.Range(1, count).Select(n => $"RETR {n}"), "QUIT"];

    /// <summary>The replies to <see cref="Script"/>, as one text; each multi-line reply ends with ".\r\n".</summary>
    private static List<Listed> Parse(string transcript, int count)
    {
        var lines = transcript.Split("\r\n");
        var at = 0;
        List<string> MultiLine()
        {
            Assert.StartsWith("+OK", lines[at++], StringComparison.Ordinal);
            var body = new List<string>();
            while (lines[at] != ".")
            {
                body.Add(lines[at++]);
            }

            at++;
            return body;
        }

        var sizes = MultiLine().Select(l => l.Split(' ')).ToDictionary(p => int.Parse(p[0], CultureInfo.InvariantCulture), p => p[1]);
        var uidls = MultiLine().Select(l => l.Split(' ')).ToDictionary(p => int.Parse(p[0], CultureInfo.InvariantCulture), p => p[1]);
        var listed = new List<Listed>();
        for (var n = 1; n <= count; n++)
        {
            listed.Add(new Listed(n, sizes[n], uidls[n], string.Join("\r\n", MultiLine()) + "\r\n"));
        }

        return listed;
    }

    private static async Task RunAsync(string program, params string[] arguments)
    {
        using var process = Process.Start(program, arguments) ?? throw new InvalidOperationException($"{program} did not start.");
        await process.WaitForExitAsync();
        Assert.Equal(0, process.ExitCode);
    }
}
