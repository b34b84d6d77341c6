using System.Net.Sockets;
using System.Text;
using Pop3.Server.Tests.Infrastructure;

namespace Pop3.Server.Tests.Hostile;

/// <summary>
/// Hostile clients against the real server. Every case ends by showing that a well-behaved client on
/// another connection is still served promptly and correctly.
/// </summary>
[Collection(HostileCollection.Name)]
public sealed class HostileClientTests(HostileServerFixture fixture)
{
    private const string TooLong = "-ERR Command line too long (at most 255 octets with CRLF, 8192 for AUTH and SASL responses)";

    [Theory]
    [InlineData(64 * 1024)]
    [InlineData(10 * 1024 * 1024)]
    public async Task A_huge_line_without_crlf_is_discarded_as_it_comes_and_answered_once_when_it_ends(int length)
    {
        await using var attacker = await Greeted();
        var line = new byte[length];
        Array.Fill(line, (byte)'A');
        await attacker.SendAsync(line);

        // The line is still open on the attacker's connection while someone else is served.
        await fixture.AssertOthersServedAsync();

        await attacker.SendAsync("\r\n");
        Assert.Equal(TooLong, await attacker.ReadLineAsync());
        Assert.Equal("+OK Logging out", await attacker.CommandAsync("QUIT"));
    }

    [Fact]
    public async Task Nul_bytes_are_refused_as_syntax_and_never_let_anyone_in()
    {
        await using var attacker = await Greeted();
        Assert.Equal("-ERR Unknown command", await attacker.CommandAsync("\0\0\0\0"));
        Assert.Equal("-ERR Syntax: USER name", await attacker.CommandAsync("USER alice\0"));
        Assert.Equal("-ERR Send USER first", await attacker.CommandAsync("PASS secret"));
        Assert.Equal("+OK Send your password", await attacker.CommandAsync("USER alice"));
        Assert.Equal("-ERR Syntax: PASS password", await attacker.CommandAsync("PASS secret\0"));
        Assert.StartsWith("-ERR", await attacker.CommandAsync("QUIT\0"));
        Assert.Equal("+OK Logging out", await attacker.CommandAsync("QUIT"));
        await fixture.AssertOthersServedAsync();
    }

    [Fact]
    public async Task Invalid_utf8_is_refused_as_syntax()
    {
        await using var attacker = await Greeted();
        await attacker.SendAsync([(byte)'U', (byte)'S', (byte)'E', (byte)'R', (byte)' ', 0xC3, 0x28, 0xFF, (byte)'\r', (byte)'\n']);
        Assert.Equal("-ERR Syntax: USER name", await attacker.ReadLineAsync());
        await attacker.SendAsync([0xFF, 0xFE, 0xFD, 0x80, (byte)'\r', (byte)'\n']);
        Assert.Equal("-ERR Unknown command", await attacker.ReadLineAsync());
        Assert.Equal("+OK Send your password", await attacker.CommandAsync("USER alice"));
        await attacker.SendAsync([(byte)'P', (byte)'A', (byte)'S', (byte)'S', (byte)' ', 0xED, 0xA0, 0x80, (byte)'\r', (byte)'\n']);
        Assert.Equal("-ERR Syntax: PASS password", await attacker.ReadLineAsync());
        Assert.Equal("+OK Logging out", await attacker.CommandAsync("QUIT"));
        await fixture.AssertOthersServedAsync();
    }

    [Fact]
    public async Task A_bare_lf_is_not_a_line_end_so_it_cannot_smuggle_a_second_command()
    {
        await using var attacker = await Greeted();

        // One line (with an LF inside it), so one reply: USER refuses the control character and PASS never runs.
        await attacker.SendAsync("USER alice\nPASS secret\r\n");
        Assert.Equal("-ERR Syntax: USER name", await attacker.ReadLineAsync());
        await attacker.SendAsync("CAPA\nQUIT\r\n");
        Assert.Equal("-ERR Unknown command", await attacker.ReadLineAsync());

        // Still connected and still not logged in.
        Assert.Equal("-ERR Not allowed before login; allowed now: USER PASS APOP AUTH STLS UTF8 CAPA QUIT", await attacker.CommandAsync("STAT"));
        Assert.Equal("+OK Logging out", await attacker.CommandAsync("QUIT"));
        await fixture.AssertOthersServedAsync();
    }

    [Fact]
    public async Task An_empty_line_is_an_unknown_command()
    {
        await using var attacker = await Greeted();
        Assert.Equal("-ERR Unknown command", await attacker.CommandAsync(""));
        Assert.Equal("+OK Logging out", await attacker.CommandAsync("QUIT"));
        await fixture.AssertOthersServedAsync();
    }

    [Fact]
    public async Task A_255_octet_command_is_accepted_and_a_256_octet_one_refused()
    {
        await using var attacker = await Greeted();
        var name255 = new string('u', 255 - "USER ".Length - 2);
        var name256 = name255 + "u";
        Assert.Equal("+OK Send your password", await attacker.CommandAsync("USER " + name255));
        Assert.Equal(TooLong, await attacker.CommandAsync("USER " + name256));

        // The refused line left no trace: PASS goes with the 255-octet name, which is not a user.
        Assert.Equal("-ERR [AUTH] Authentication failed", await attacker.CommandAsync("PASS secret"));
        Assert.Equal("+OK Logging out", await attacker.CommandAsync("QUIT"));
        await fixture.AssertOthersServedAsync();
    }

    [Fact]
    public async Task Consecutive_errors_end_the_connection()
    {
        await using var attacker = await Greeted();
        var errors = string.Concat(Enumerable.Repeat("\r\n", 50));
        await attacker.SendAsync(errors);
        var replies = await attacker.ReadToEndAsync();
        Assert.Equal(string.Concat(Enumerable.Repeat("-ERR Unknown command\r\n", 10)) + "-ERR Too many errors, closing connection\r\n", replies);
        await fixture.AssertOthersServedAsync();
    }

    [Fact]
    public async Task A_client_that_vanishes_mid_retr_of_a_large_message_releases_lock_and_files()
    {
        var attacker = await RawPop3Client.ConnectAsync(fixture.Server.Pop3EndPoint);
        await attacker.LoginAsync();
        Assert.Equal($"+OK {HostileServerFixture.BigSize} octets", await attacker.CommandAsync($"RETR {HostileServerFixture.SmallCount + 1}"));
        Assert.NotEmpty(await attacker.ReadLineAsync());
        attacker.Abort();
        await attacker.DisposeAsync();

        await using (var again = await fixture.LoginAliceAgainAsync())
        {
            // The vanished session's message file is closed: nothing of this process is open in cur/ now.
            Assert.Empty(fixture.OpenFilesInAliceCur());
            Assert.Equal($"+OK {HostileServerFixture.SmallCount + 1} {TotalAliceSize()}", await again.CommandAsync("STAT"));
            Assert.Equal("+OK Logging out", await again.CommandAsync("QUIT"));
        }

        await fixture.AssertOthersServedAsync();
    }

    [Fact]
    public async Task A_client_that_vanishes_right_after_pass_releases_the_lock()
    {
        var attacker = await RawPop3Client.ConnectAsync(fixture.Server.Pop3EndPoint);
        Assert.StartsWith("+OK", await attacker.ReadLineAsync());
        await attacker.SendAsync("USER alice\r\nPASS secret\r\nDELE 1\r\n");
        attacker.Abort();
        await attacker.DisposeAsync();

        await using (var again = await fixture.LoginAliceAgainAsync())
        {
            // The DELE of the vanished session was never committed: it did not QUIT.
            Assert.Equal($"+OK {HostileServerFixture.SmallCount + 1} {TotalAliceSize()}", await again.CommandAsync("STAT"));
            Assert.Equal("+OK Logging out", await again.CommandAsync("QUIT"));
        }

        await fixture.AssertOthersServedAsync();
    }

    [Fact]
    public async Task A_client_that_vanishes_in_the_middle_of_pass_leaves_nothing_behind()
    {
        var attacker = await RawPop3Client.ConnectAsync(fixture.Server.Pop3EndPoint);
        Assert.StartsWith("+OK", await attacker.ReadLineAsync());
        await attacker.SendAsync("USER alice\r\nPASS sec");
        Assert.Equal("+OK Send your password", await attacker.ReadLineAsync());
        attacker.Abort();
        await attacker.DisposeAsync();

        await using (var again = await fixture.LoginAliceAgainAsync())
        {
            Assert.Equal("+OK Logging out", await again.CommandAsync("QUIT"));
        }

        await fixture.AssertOthersServedAsync();
    }

    [Fact]
    public async Task A_client_that_vanishes_in_the_middle_of_an_auth_exchange_leaves_nothing_behind()
    {
        var attacker = await RawPop3Client.ConnectAsync(fixture.Server.Pop3EndPoint);
        Assert.StartsWith("+OK", await attacker.ReadLineAsync());
        Assert.StartsWith("+", await attacker.CommandAsync("AUTH PLAIN"));

        // Half of the base64 of "\0alice\0secret", then gone.
        await attacker.SendAsync("AGFsaWNl");
        attacker.Abort();
        await attacker.DisposeAsync();

        // And one that completes AUTH (taking the lock) and vanishes at once.
        var second = await RawPop3Client.ConnectAsync(fixture.Server.Pop3EndPoint);
        Assert.StartsWith("+OK", await second.ReadLineAsync());
        await second.SendAsync("AUTH PLAIN AGFsaWNlAHNlY3JldA==\r\n");
        second.Abort();
        await second.DisposeAsync();

        await using (var again = await fixture.LoginAliceAgainAsync())
        {
            Assert.Equal("+OK Logging out", await again.CommandAsync("QUIT"));
        }

        await fixture.AssertOthersServedAsync();
    }

    [Fact]
    public async Task Clients_that_vanish_mid_tls_handshake_do_not_disturb_others()
    {
        var secure = fixture.Server.EndPointOf("Secure");

        // A TLS record header announcing a ClientHello that never comes, then a reset.
        using (var half = new TcpClient())
        {
            await half.ConnectAsync(secure);
            await half.GetStream().WriteAsync(new byte[] { 0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xFC, 0x03, 0x03 });
            half.Client.Close(0);
        }

        // A connection that says nothing and goes; and one that sends garbage instead of TLS.
        using (var silent = new TcpClient())
        {
            await silent.ConnectAsync(secure);
            silent.Client.Close(0);
        }

        using (var garbage = new TcpClient())
        {
            await garbage.ConnectAsync(secure);
            await garbage.GetStream().WriteAsync("USER alice\r\nPASS secret\r\n"u8.ToArray());

            // The server refuses it and closes; it never answers in POP3.
            var buffer = new byte[256];
            var read = await ReadUntilClosedAsync(garbage.GetStream(), buffer).WaitAsync(TimeSpan.FromSeconds(15));
            Assert.DoesNotContain("+OK", Encoding.Latin1.GetString(buffer, 0, Math.Min(read, buffer.Length)));
        }

        await fixture.AssertOthersServedOverTlsAsync();
        await fixture.AssertOthersServedAsync();
    }

    private static async Task<int> ReadUntilClosedAsync(NetworkStream stream, byte[] first)
    {
        var total = 0;
        var scratch = new byte[4096];
        try
        {
            int read;
            while ((read = await stream.ReadAsync(scratch)) > 0)
            {
                Array.Copy(scratch, 0, first, Math.Min(total, first.Length), Math.Min(read, Math.Max(0, first.Length - total)));
                total += read;
            }
        }
        catch (IOException)
        {
            // A reset is a close too.
        }

        return total;
    }

    private long TotalAliceSize()
    {
        long total = 0;
        foreach (var file in Directory.EnumerateFiles(fixture.AliceCur))
        {
            total += new FileInfo(file).Length;
        }

        return total;
    }

    private async Task<RawPop3Client> Greeted()
    {
        var client = await RawPop3Client.ConnectAsync(fixture.Server.Pop3EndPoint);
        Assert.StartsWith("+OK", await client.ReadLineAsync());
        return client;
    }
}
