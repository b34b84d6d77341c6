using System.Diagnostics;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Pop3.Kestrel;
using Pop3.Kestrel.Authentication;
using Pop3.Kestrel.Maildrops;
using Pop3.Server.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Pop3.Server.Tests.Isolation;

/// <summary>
/// 500 concurrent sessions over 50 mailboxes, each with a random mix of commands, checked reply by reply
/// against a model of its mailbox: no session ever sees another mailbox's messages or another session's marks,
/// a mailbox is held by one session at a time, and what QUIT commits is exactly what the session marked.
/// </summary>
public sealed class ConcurrentSessionsTests(ITestOutputHelper output)
{
    private const int Mailboxes = 50;
    private const int Sessions = 500;

    [Fact]
    public async Task Five_hundred_concurrent_sessions_each_see_only_their_own_mailbox_and_marks()
    {
        var store = new InMemoryMailStore();
        var models = new Mailbox[Mailboxes];
        for (var m = 0; m < Mailboxes; m++)
        {
            models[m] = new Mailbox($"user{m}");
            for (var k = 0; k < 3 + (m % 8); k++)
            {
                var bytes = Encoding.ASCII.GetBytes($"Subject: {models[m].Name} #{k}\r\n\r\nFor {models[m].Name} only, message {k}.\r\n{new string('.', k)}\r\n");
                models[m].Messages.Add((store.Add(models[m].Name, bytes), bytes));
            }
        }

        // All 500 come from 127.0.0.1, so the per-address limits and the failed-login throttle are lifted here.
        await using var server = new Pop3ServerFactory()
            .With("Pop3:Limits:MaxConnections", "0")
            .With("Pop3:Limits:MaxConnectionsPerIp", "0")
            .With("Pop3:Limits:MaxConnectionsPerUserIp", "0")
            .With("Pop3:Authentication:FailureDelay", "00:00:00")
            .With("Pop3:Authentication:BanAfterFailures", "0")
            .WithInMemoryMail(store)
            .WithServices(services => services.AddSingleton<IPop3Authenticator, NumberedUsers>());
        var endPoint = server.Pop3EndPoint;
        var seed = int.TryParse(Environment.GetEnvironmentVariable("POP3_ISOLATION_SEED"), out var s) ? s : 1939;
        var clock = Stopwatch.StartNew();
        var stats = new int[4];

        // All 500 connect at once; each then runs its own script, seeded from the run's seed and its index.
        var sessions = Enumerable.Range(0, Sessions).Select(i => Task.Run(async () =>
        {
            var random = new Random(seed * 1000 + i);
            var model = models[random.Next(Mailboxes)];
            var badLogin = random.Next(10) == 0;

            // A mailbox in use is a valid answer; the session then tries again on a new connection (bounded).
            Outcome outcome;
            var attempts = 0;
            while ((outcome = await RunSessionAsync(endPoint, model, random, badLogin)) == Outcome.InUse && ++attempts < 500)
            {
                Interlocked.Increment(ref stats[(int)Outcome.InUse]);
                await Task.Yield();
            }

            Interlocked.Increment(ref stats[(int)outcome]);
        }));
        await Task.WhenAll(sessions).WaitAsync(TimeSpan.FromSeconds(120));
        output.WriteLine($"seed {seed}: {stats[0]} quit, {stats[1]} dropped, {stats[2]} logins found the mailbox in use and tried again, {stats[3]} failed logins; {clock.Elapsed}");

        // The store holds exactly what the model says: everything committed, nothing else lost.
        foreach (var model in models)
        {
            Assert.Equal(model.Messages.Select(m => m.Id), store.Ids(model.Name));
        }

        Assert.True(stats[(int)Outcome.Quit] + stats[(int)Outcome.Dropped] + stats[(int)Outcome.BadLogin] == Sessions, "some sessions never got their mailbox");
    }

    private enum Outcome
    {
        Quit,
        Dropped,
        InUse,
        BadLogin,
    }

    private static async Task<Outcome> RunSessionAsync(System.Net.IPEndPoint endPoint, Mailbox model, Random random, bool badLogin)
    {
        await using var client = await RawPop3Client.ConnectAsync(endPoint);
        Assert.StartsWith("+OK", await client.ReadLineAsync());
        if (badLogin)
        {
            Assert.Equal("-ERR [AUTH] Authentication failed", await client.CommandAsync("USER " + model.Name) is var u && u.StartsWith("+OK", StringComparison.Ordinal)
                ? await client.CommandAsync("PASS wrong")
                : u);
            Assert.Equal("-ERR Not allowed before login; allowed now: USER PASS APOP AUTH STLS UTF8 CAPA QUIT", await client.CommandAsync("STAT"));
            Assert.Equal("+OK Logging out", await client.CommandAsync("QUIT"));
            return Outcome.BadLogin;
        }

        Assert.Equal("+OK Send your password", await client.CommandAsync("USER " + model.Name));
        var login = await client.CommandAsync("PASS secret-of-" + model.Name);
        if (login.StartsWith("-ERR [IN-USE]", StringComparison.Ordinal))
        {
            Assert.Equal("+OK Logging out", await client.CommandAsync("QUIT"));
            return Outcome.InUse;
        }

        // From here on this session holds the mailbox: the model cannot change under it.
        Assert.True(model.Enter(), $"two sessions hold {model.Name} at once");
        var left = false;
        try
        {
            var messages = model.Messages.ToList();
            var marked = new bool[messages.Count];
            Assert.Equal($"+OK Logged in, {messages.Count} messages ({messages.Sum(m => m.Bytes.Length)} octets)", login);
            for (var step = random.Next(3, 15); step > 0; step--)
            {
                var n = random.Next(1, messages.Count + 2);
                var exists = n <= messages.Count;
                var live = Enumerable.Range(1, messages.Count).Where(i => !marked[i - 1]).ToList();
                switch (random.Next(8))
                {
                    case 0:
                        Assert.Equal($"+OK {live.Count} {live.Sum(i => messages[i - 1].Bytes.Length)}", await client.CommandAsync("STAT"));
                        break;
                    case 1:
                        Assert.Equal("+OK Scan listing follows", await client.CommandAsync("LIST"));
                        Assert.Equal(string.Concat(live.Select(i => $"{i} {messages[i - 1].Bytes.Length}\r\n")) + ".\r\n", Encoding.ASCII.GetString(await client.ReadMultiLineBodyAsync()));
                        break;
                    case 2:
                        Assert.Equal("+OK Unique-ID listing follows", await client.CommandAsync("UIDL"));
                        Assert.Equal(string.Concat(live.Select(i => $"{i} {messages[i - 1].Id}\r\n")) + ".\r\n", Encoding.ASCII.GetString(await client.ReadMultiLineBodyAsync()));
                        break;
                    case 3 or 4:
                        var retr = await client.CommandAsync($"RETR {n}");
                        if (!exists || marked[n - 1])
                        {
                            Assert.StartsWith("-ERR", retr);
                            break;
                        }

                        Assert.Equal($"+OK {messages[n - 1].Bytes.Length} octets", retr);
                        Assert.Equal(messages[n - 1].Bytes, RawPop3Client.Unstuff(await client.ReadMultiLineBodyAsync()));
                        break;
                    case 5 or 6:
                        var dele = await client.CommandAsync($"DELE {n}");
                        if (!exists || marked[n - 1])
                        {
                            Assert.StartsWith("-ERR", dele);
                            break;
                        }

                        Assert.Equal("+OK Marked to be deleted", dele);
                        marked[n - 1] = true;
                        break;
                    case 7:
                        Assert.StartsWith("+OK", await client.CommandAsync("RSET"));
                        Array.Clear(marked);
                        break;
                }
            }

            if (random.Next(4) == 0)
            {
                // Gone without QUIT: nothing this session marked is deleted. The model is let go first: once the
                // connection is reset the server may hand the mailbox to the next session before this task runs on.
                model.Leave();
                left = true;
                client.Abort();
                return Outcome.Dropped;
            }

            // The model changes, and this session lets go of it, before QUIT is sent: once the server has
            // committed and released the mailbox, the next holder may come in before this task reads the reply.
            var kept = messages.Where((_, i) => !marked[i]).ToList();
            model.Messages.Clear();
            model.Messages.AddRange(kept);
            model.Leave();
            left = true;
            var reply = await client.CommandAsync("QUIT");
            Assert.Equal(kept.Count == messages.Count ? "+OK Logging out" : "+OK Logging out, messages deleted", reply);
            return Outcome.Quit;
        }
        finally
        {
            // Failed mid-session: the assertion already failed the test; just keep the model consistent.
            if (!left)
            {
                model.Leave();
            }
        }
    }

    private sealed class Mailbox(string name)
    {
        private int _holders;

        public string Name { get; } = name;

        public List<(string Id, byte[] Bytes)> Messages { get; } = [];

        public bool Enter() => Interlocked.Increment(ref _holders) == 1;

        public void Leave() => Interlocked.Decrement(ref _holders);
    }

    /// <summary>userN with password secret-of-userN, for any N.</summary>
    private sealed class NumberedUsers : IPop3Authenticator
    {
        public ValueTask<Pop3AuthenticationResult> AuthenticateAsync(string user, string password, Pop3ConnectionInfo connection, CancellationToken cancellationToken) =>
            ValueTask.FromResult(user.StartsWith("user", StringComparison.Ordinal) && password == "secret-of-" + user
                ? Pop3AuthenticationResult.Success(user)
                : Pop3AuthenticationResult.Failure);
    }
}
