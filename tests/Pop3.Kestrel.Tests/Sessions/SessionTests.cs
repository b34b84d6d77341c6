using System.Text;
using Pop3.Kestrel.Hosting;
using Pop3.Kestrel.Maildrops;
using Pop3.Kestrel.Sessions;

namespace Pop3.Kestrel.Tests.Sessions;

public sealed class SessionTests
{
    private const string First = "From: a@example.org\r\nSubject: one\r\n\r\nHello\r\n.dot line\r\n";
    private const string Second = "Subject: two\n\nline 1\nline 2\nline 3\n";
    private static readonly int SecondSize = Second.Replace("\n", "\r\n").Length;

    private static void Fill(InMemoryMailStore store)
    {
        store.Add("alice", Encoding.ASCII.GetBytes(First));
        store.Add("alice", Encoding.ASCII.GetBytes(Second));
    }

    [Fact]
    public async Task Greeting_is_ok_with_the_configured_text()
    {
        await using var s = new SessionHarness(settings: new() { ["Pop3:Greeting"] = "Hi there" });
        Assert.Equal("+OK Hi there", await s.ReadLineAsync());
    }

    [Fact]
    public async Task Stat_counts_messages_with_crlf_sizes()
    {
        await using var s = new SessionHarness(Fill);
        await s.LoginAsync();
        Assert.Equal($"+OK 2 {First.Length + SecondSize}", await s.CommandAsync("STAT"));
    }

    [Fact]
    public async Task List_shows_each_message_and_list_n_one()
    {
        await using var s = new SessionHarness(Fill);
        await s.LoginAsync();
        Assert.Equal($"+OK Scan listing follows\r\n1 {First.Length}\r\n2 {SecondSize}\r\n.\r\n", await SendMulti(s, "LIST"));
        Assert.Equal($"+OK 2 {SecondSize}", await s.CommandAsync("LIST 2"));
        Assert.Equal("-ERR No such message", await s.CommandAsync("LIST 3"));
        Assert.Equal("-ERR No such message", await s.CommandAsync("LIST 0"));
        Assert.Equal("-ERR Invalid message number", await s.CommandAsync("LIST x"));
        Assert.Equal("-ERR Invalid message number", await s.CommandAsync("LIST -1"));
    }

    [Fact]
    public async Task Retr_sends_the_message_dot_stuffed_with_crlf()
    {
        await using var s = new SessionHarness(Fill);
        await s.LoginAsync();
        Assert.Equal($"+OK {First.Length} octets", await s.CommandAsync("RETR 1"));
        Assert.Equal("From: a@example.org\r\nSubject: one\r\n\r\nHello\r\n..dot line\r\n.\r\n", await s.ReadMultiLineAsync());
        Assert.Equal($"+OK {SecondSize} octets", await s.CommandAsync("RETR 2"));
        Assert.Equal("Subject: two\r\n\r\nline 1\r\nline 2\r\nline 3\r\n.\r\n", await s.ReadMultiLineAsync());
    }

    [Fact]
    public async Task Top_sends_headers_blank_line_and_n_body_lines()
    {
        await using var s = new SessionHarness(Fill);
        await s.LoginAsync();
        Assert.StartsWith("+OK", await s.CommandAsync("TOP 2 0"));
        Assert.Equal("Subject: two\r\n\r\n.\r\n", await s.ReadMultiLineAsync());
        Assert.StartsWith("+OK", await s.CommandAsync("TOP 2 2"));
        Assert.Equal("Subject: two\r\n\r\nline 1\r\nline 2\r\n.\r\n", await s.ReadMultiLineAsync());
        Assert.StartsWith("+OK", await s.CommandAsync("TOP 2 99"));
        Assert.Equal("Subject: two\r\n\r\nline 1\r\nline 2\r\nline 3\r\n.\r\n", await s.ReadMultiLineAsync());
        Assert.Equal("-ERR Syntax: TOP msg n", await s.CommandAsync("TOP 2"));
        Assert.Equal("-ERR Invalid line count", await s.CommandAsync("TOP 2 x"));
        Assert.Equal("-ERR Syntax: TOP msg n", await s.CommandAsync("TOP 2 1 1"));
    }

    [Fact]
    public async Task Deleted_messages_are_hidden_and_rset_restores_them()
    {
        await using var s = new SessionHarness(Fill);
        await s.LoginAsync();
        Assert.Equal("+OK Marked to be deleted", await s.CommandAsync("DELE 1"));
        Assert.Equal("-ERR Message is deleted", await s.CommandAsync("DELE 1"));
        Assert.Equal("-ERR Message is deleted", await s.CommandAsync("RETR 1"));
        Assert.Equal("-ERR Message is deleted", await s.CommandAsync("TOP 1 0"));
        Assert.Equal("-ERR Message is deleted", await s.CommandAsync("LIST 1"));
        Assert.Equal("-ERR Message is deleted", await s.CommandAsync("UIDL 1"));
        Assert.Equal($"+OK 1 {SecondSize}", await s.CommandAsync("STAT"));
        Assert.Equal($"+OK Scan listing follows\r\n2 {SecondSize}\r\n.\r\n", await SendMulti(s, "LIST"));
        Assert.Equal($"+OK 2 {First.Length + SecondSize}", await s.CommandAsync("RSET"));
        Assert.Equal($"+OK 2 {First.Length + SecondSize}", await s.CommandAsync("STAT"));
    }

    [Fact]
    public async Task Quit_in_transaction_removes_exactly_the_marked_messages()
    {
        await using var s = new SessionHarness(Fill);
        var ids = s.Store.Ids("alice");
        await s.LoginAsync();
        await s.CommandAsync("DELE 2");
        Assert.Equal("+OK Logging out, messages deleted", await s.CommandAsync("QUIT"));
        var summary = await s.Run;
        Assert.Equal(Pop3SessionEnd.Quit, summary.End);
        Assert.Equal([ids[0]], s.Store.Ids("alice"));
    }

    [Fact]
    public async Task A_drop_without_quit_deletes_nothing()
    {
        await using var s = new SessionHarness(Fill);
        await s.LoginAsync();
        await s.CommandAsync("DELE 1");
        await s.CommandAsync("DELE 2");
        await s.HangUpAsync();
        Assert.Equal(Pop3SessionEnd.Dropped, (await s.Run).End);
        Assert.Equal(2, s.Store.Ids("alice").Count);
    }

    [Fact]
    public async Task The_inactivity_timeout_closes_without_update()
    {
        await using var s = new SessionHarness(Fill, new() { ["Pop3:CommandTimeout"] = "00:10:00" });
        await s.LoginAsync();
        await s.CommandAsync("DELE 1");
        s.Time.Advance(TimeSpan.FromMinutes(9));
        Assert.Equal("+OK", await s.CommandAsync("NOOP"));
        s.Time.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal("-ERR Autologout; idle for too long\r\n", await s.ReadToEndAsync());
        Assert.Equal(Pop3SessionEnd.Timeout, (await s.Run).End);
        Assert.Equal(2, s.Store.Ids("alice").Count);
    }

    [Fact]
    public async Task A_client_that_stops_reading_mid_retr_is_timed_out_and_nothing_is_deleted()
    {
        var big = Encoding.ASCII.GetBytes("Subject: big\r\n\r\n" + string.Concat(Enumerable.Repeat(new string('x', 998) + "\r\n", 2000)));
        await using var s = new SessionHarness(store => store.Add("alice", big));
        await s.LoginAsync();
        await s.SendAsync("DELE 1\r\nRSET\r\nDELE 1\r\nRETR 1\r\n");

        // The reply outgrows the pipe, so the session waits on its flush until the timer ends it.
        var run = s.Run;
        while (!run.IsCompleted)
        {
            s.Time.Advance(TimeSpan.FromMinutes(11));
            await Task.WhenAny(run, Task.Delay(10));
        }

        Assert.Equal(Pop3SessionEnd.Timeout, (await run).End);
        Assert.Single(s.Store.Ids("alice"));
    }

    [Fact]
    public async Task Shutdown_tells_a_waiting_client_and_deletes_nothing()
    {
        await using var s = new SessionHarness(Fill);
        await s.LoginAsync();
        await s.CommandAsync("DELE 1");
        s.Stop();
        Assert.Equal("-ERR [SYS/TEMP] Server shutting down\r\n", await s.ReadToEndAsync());
        Assert.Equal(Pop3SessionEnd.Shutdown, (await s.Run).End);
        Assert.Equal(2, s.Store.Ids("alice").Count);
    }

    [Fact]
    public async Task Uidl_lists_unique_ids()
    {
        await using var s = new SessionHarness(Fill);
        var ids = s.Store.Ids("alice");
        await s.LoginAsync();
        Assert.Equal($"+OK Unique-ID listing follows\r\n1 {ids[0]}\r\n2 {ids[1]}\r\n.\r\n", await SendMulti(s, "UIDL"));
        Assert.Equal($"+OK 2 {ids[1]}", await s.CommandAsync("UIDL 2"));
    }

    [Fact]
    public async Task Commands_are_case_insensitive()
    {
        await using var s = new SessionHarness(Fill);
        Assert.StartsWith("+OK", await s.ReadLineAsync());
        Assert.StartsWith("+OK", await s.CommandAsync("user alice"));
        Assert.StartsWith("+OK", await s.CommandAsync("pAsS secret"));
        Assert.StartsWith("+OK 2", await s.CommandAsync("stat"));
    }

    [Fact]
    public async Task Password_may_contain_spaces()
    {
        await using var s = new SessionHarness(store => store.Add("bob", "Subject: x\r\n\r\n"u8.ToArray()));
        await s.LoginAsync("bob", "hunter 2");
        Assert.StartsWith("+OK 1 ", await s.CommandAsync("STAT"));
    }

    [Fact]
    public async Task Wrong_password_and_unknown_user_get_the_same_auth_error()
    {
        await using var s = new SessionHarness(Fill);
        Assert.StartsWith("+OK", await s.ReadLineAsync());
        Assert.Equal("+OK Send your password", await s.CommandAsync("USER alice"));
        Assert.Equal("-ERR [AUTH] Authentication failed", await s.CommandAsync("PASS wrong"));
        Assert.Equal("+OK Send your password", await s.CommandAsync("USER nobody"));
        Assert.Equal("-ERR [AUTH] Authentication failed", await s.CommandAsync("PASS wrong"));
        Assert.Equal("-ERR Send USER first", await s.CommandAsync("PASS secret"));
        Assert.Equal("+OK Send your password", await s.CommandAsync("USER flaky"));
        Assert.StartsWith("-ERR [SYS/TEMP]", await s.CommandAsync("PASS x"));
    }

    [Fact]
    public async Task Commands_in_the_wrong_state_are_errors_that_say_what_is_allowed()
    {
        await using var s = new SessionHarness(Fill);
        Assert.StartsWith("+OK", await s.ReadLineAsync());
        Assert.StartsWith("-ERR Not allowed before login; allowed now: USER PASS", await s.CommandAsync("STAT"));
        Assert.StartsWith("-ERR Not allowed before login", await s.CommandAsync("RETR 1"));
        Assert.StartsWith("-ERR Not allowed before login", await s.CommandAsync("NOOP"));
        Assert.StartsWith("+OK", await s.CommandAsync("USER alice"));
        Assert.StartsWith("+OK", await s.CommandAsync("PASS secret"));
        Assert.StartsWith("-ERR Not allowed after login; allowed now: STAT", await s.CommandAsync("USER alice"));
        Assert.StartsWith("-ERR Not allowed after login", await s.CommandAsync("PASS secret"));
        Assert.Equal("-ERR Unknown command", await s.CommandAsync("XYZZY"));
        Assert.Equal("-ERR Unknown command", await s.CommandAsync(""));
        Assert.Equal("-ERR This command takes no arguments", await s.CommandAsync("STAT 1"));
        Assert.Equal("-ERR This command takes no arguments", await s.CommandAsync("NOOP x"));
    }

    [Fact]
    public async Task Too_many_consecutive_errors_close_the_connection()
    {
        await using var s = new SessionHarness(Fill, new() { ["Pop3:MaxErrors"] = "3" });
        Assert.StartsWith("+OK", await s.ReadLineAsync());
        await s.SendAsync("A\r\nB\r\nNOOP\r\nC\r\n");
        Assert.Equal("-ERR Unknown command\r\n-ERR Unknown command\r\n-ERR Not allowed before login; allowed now: USER PASS APOP AUTH STLS UTF8 CAPA QUIT\r\n-ERR Too many errors, closing connection\r\n", await s.ReadToEndAsync());
        Assert.Equal(Pop3SessionEnd.TooManyErrors, (await s.Run).End);
    }

    [Fact]
    public async Task A_success_resets_the_error_count()
    {
        await using var s = new SessionHarness(Fill, new() { ["Pop3:MaxErrors"] = "2" });
        Assert.StartsWith("+OK", await s.ReadLineAsync());
        for (var i = 0; i < 5; i++)
        {
            Assert.StartsWith("-ERR", await s.CommandAsync("BAD"));
            Assert.StartsWith("+OK", await s.CommandAsync("USER alice"));
        }
    }

    [Fact]
    public async Task A_line_over_255_octets_is_rejected_and_the_session_goes_on()
    {
        await using var s = new SessionHarness(Fill);
        Assert.StartsWith("+OK", await s.ReadLineAsync());
        Assert.StartsWith("+OK", await s.CommandAsync("USER " + new string('a', 248))); // 5 + 248 + 2 = 255 octets
        Assert.Equal("-ERR Command line too long (at most 255 octets with CRLF, 8192 for AUTH and SASL responses)", await s.CommandAsync("USER " + new string('a', 249)));
        Assert.Equal("-ERR Command line too long (at most 255 octets with CRLF, 8192 for AUTH and SASL responses)", await s.CommandAsync(new string('x', 70000)));
        Assert.StartsWith("+OK", await s.CommandAsync("USER alice"));
    }

    [Fact]
    public async Task Pipelined_commands_get_their_replies_in_order_in_one_write()
    {
        await using var s = new SessionHarness(Fill);
        Assert.StartsWith("+OK", await s.ReadLineAsync());
        await s.SendAsync("USER alice\r\nPASS secret\r\nSTAT\r\nLIST 1\r\nDELE 1\r\nSTAT\r\nQUIT\r\n");
        var all = await s.ReadToEndAsync();
        Assert.Equal(
            $"+OK Send your password\r\n+OK Logged in, 2 messages ({First.Length + SecondSize} octets)\r\n+OK 2 {First.Length + SecondSize}\r\n+OK 1 {First.Length}\r\n+OK Marked to be deleted\r\n+OK 1 {SecondSize}\r\n+OK Logging out, messages deleted\r\n",
            all);
    }

    [Fact]
    public async Task A_second_session_on_a_locked_mailbox_is_in_use_until_the_first_ends()
    {
        var store = new InMemoryMailStore();
        Fill(store);
        // Both sessions share one store, as two connections to one server do.
        await using var a = new SessionHarness(configure: b => b.Services.AddSingletonStore(store));
        await using var b = new SessionHarness(configure: b => b.Services.AddSingletonStore(store));
        await a.LoginAsync();
        Assert.StartsWith("+OK", await b.ReadLineAsync());
        await b.CommandAsync("USER alice");
        Assert.Equal("-ERR [IN-USE] Mailbox is locked by another session", await b.CommandAsync("PASS secret"));
        Assert.Equal("+OK Logging out", await a.CommandAsync("QUIT"));

        // The lock is free once QUIT's +OK is out, not only when the connection has closed.
        await b.CommandAsync("USER alice");
        Assert.StartsWith("+OK Logged in", await b.CommandAsync("PASS secret"));
    }

    [Fact]
    public async Task Capa_lists_what_works_in_each_state()
    {
        await using var s = new SessionHarness(Fill, new() { ["Pop3:LoginDelay"] = "60" });
        Assert.StartsWith("+OK", await s.ReadLineAsync());
        Assert.Equal(
            "+OK Capability list follows\r\nTOP\r\nUSER\r\nUIDL\r\nPIPELINING\r\nRESP-CODES\r\nAUTH-RESP-CODE\r\nEXPIRE NEVER\r\nLOGIN-DELAY 60\r\nSASL PLAIN LOGIN\r\nUTF8\r\n.\r\n",
            await SendMulti(s, "CAPA"));
        await s.CommandAsync("USER alice");
        await s.CommandAsync("PASS secret");
        Assert.Equal(
            "+OK Capability list follows\r\nTOP\r\nUIDL\r\nPIPELINING\r\nRESP-CODES\r\nAUTH-RESP-CODE\r\nEXPIRE NEVER\r\nLOGIN-DELAY 60\r\nIMPLEMENTATION Pop3.Kestrel\r\nUTF8\r\n.\r\n",
            await SendMulti(s, "CAPA"));
    }

    [Fact]
    public async Task Capa_says_user_when_values_vary_by_user_and_shows_the_users_own_after_login()
    {
        await using var s = new SessionHarness(Fill, configure: b => b.AddUserPolicy<SlowUserPolicy>());
        Assert.StartsWith("+OK", await s.ReadLineAsync());
        var before = await SendMulti(s, "CAPA");
        Assert.Contains("\r\nEXPIRE NEVER USER\r\n", before);
        Assert.Contains("\r\nLOGIN-DELAY 0 USER\r\n", before);
        await s.CommandAsync("USER alice");
        await s.CommandAsync("PASS secret");
        var after = await SendMulti(s, "CAPA");
        Assert.Contains("\r\nEXPIRE 31\r\n", after);
        Assert.Contains("\r\nLOGIN-DELAY 900\r\n", after);
    }

    private static async Task<string> SendMulti(SessionHarness s, string command)
    {
        await s.SendAsync(command + "\r\n");
        return await s.ReadMultiLineAsync();
    }

    private sealed class SlowUserPolicy : IPop3UserPolicy
    {
        public ValueTask<Pop3UserSettings> GetSettingsAsync(string user, CancellationToken cancellationToken) =>
            ValueTask.FromResult(new Pop3UserSettings(900, "31"));
    }
}

internal static class StoreRegistration
{
    public static void AddSingletonStore(this Microsoft.Extensions.DependencyInjection.IServiceCollection services, InMemoryMailStore store)
    {
        Microsoft.Extensions.DependencyInjection.Extensions.ServiceCollectionDescriptorExtensions.RemoveAll<InMemoryMailStore>(services);
        Microsoft.Extensions.DependencyInjection.ServiceCollectionServiceExtensions.AddSingleton(services, store);
    }
}
