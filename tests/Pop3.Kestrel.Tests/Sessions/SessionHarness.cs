using System.IO.Pipelines;
using System.Net;
using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Pop3.Kestrel.Authentication;
using Pop3.Kestrel.Hosting;
using Pop3.Kestrel.Maildrops;
using Pop3.Kestrel.Sessions;

namespace Pop3.Kestrel.Tests.Sessions;

/// <summary>A session over an in-memory pipe pair, driven like a client would drive it.</summary>
internal sealed class SessionHarness : IAsyncDisposable
{
    private readonly Pipe _toServer;
    private readonly Pipe _toClient = new();
    private readonly ServiceProvider _provider;
    private readonly AsyncServiceScope _scope;
    private readonly CancellationTokenSource _stopping = new();
    private readonly MemoryStream _received = new();
    private readonly CountingTimeProvider _time = new();
    private readonly bool _sharesProvider;

    /// <summary>
    /// A session from <paramref name="connection"/> (default: 127.0.0.1, not encrypted). The failed-login delay is off
    /// unless <paramref name="settings"/> sets <c>Pop3:Authentication:FailureDelay</c>; <see cref="Time"/> drives it.
    /// </summary>
    public SessionHarness(
        Action<InMemoryMailStore>? fill = null,
        Dictionary<string, string?>? settings = null,
        Action<Pop3ServerBuilder>? configure = null,
        Pop3ConnectionInfo? connection = null,
        Action<IServiceProvider>? beforeStart = null,
        ServiceProvider? shared = null,
        PipeScheduler? serverThread = null)
    {
        // serverThread: where the session continues after each read, as a socket event thread with inline completions.
        _toServer = serverThread is null ? new Pipe() : new Pipe(new PipeOptions(readerScheduler: serverThread, useSynchronizationContext: false));
        var all = new Dictionary<string, string?> { ["Pop3:Authentication:FailureDelay"] = "00:00:00" };
        foreach (var (key, value) in settings ?? [])
        {
            all[key] = value;
        }

        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(all).Build());
        services.AddSingleton<TimeProvider>(_time);
        var builder = services.AddPop3Server().AddInMemoryMaildrop(fill);
        builder.Services.AddSingleton<IPop3Authenticator, TestAuthenticator>();
        configure?.Invoke(builder);
        services.AddSingleton<Microsoft.Extensions.Hosting.IHostApplicationLifetime, NoLifetime>();
        services.AddSingleton<Microsoft.Extensions.Hosting.IHostEnvironment>(new Microsoft.Extensions.Hosting.Internal.HostingEnvironment { EnvironmentName = "Production", ContentRootPath = AppContext.BaseDirectory });
        if (shared is null)
        {
            _provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        }
        else
        {
            // A second client of the same server: the singletons (throttle, gate, login history, store) are shared.
            _provider = shared;
            _sharesProvider = true;
        }

        Store = _provider.GetRequiredService<InMemoryMailStore>();
        beforeStart?.Invoke(_provider);
        _scope = _provider.CreateAsyncScope();
        Session = _provider.GetRequiredService<Pop3SessionFactory>().Create(_scope.ServiceProvider);
        var info = Connection = connection ?? new Pop3ConnectionInfo("test", new IPEndPoint(IPAddress.Loopback, 50000), new IPEndPoint(IPAddress.Loopback, 110));
        Run = Session.RunAsync(new TestDuplexPipe(_toServer.Reader, _toClient.Writer), info, _stopping.Token)
            .ContinueWith(async t =>
            {
                await _scope.DisposeAsync();
                await _toClient.Writer.CompleteAsync();
                return t.Result;
            }).Unwrap();
    }

    public CountingTimeProvider Time => (CountingTimeProvider)_provider.GetRequiredService<TimeProvider>();

    /// <summary>The server's services (singletons shared by every session of it).</summary>
    public ServiceProvider Services => _provider;

    /// <summary>The connection the session runs over.</summary>
    public Pop3ConnectionInfo Connection { get; }

    public InMemoryMailStore Store { get; }

    public Pop3Session Session { get; }

    public Task<Pop3SessionSummary> Run { get; }

    public void Stop() => _stopping.Cancel();

    /// <summary>Sends raw bytes as the client.</summary>
    public async Task SendAsync(string text) => await _toServer.Writer.WriteAsync(Encoding.Latin1.GetBytes(text));

    public async Task SendAsync(byte[] bytes) => await _toServer.Writer.WriteAsync(bytes);

    public async Task HangUpAsync() => await _toServer.Writer.CompleteAsync();

    /// <summary>Reads until <paramref name="bytes"/> octets in all have arrived since the last take, or the server closes.</summary>
    public async Task<string> ReadLineAsync()
    {
        while (true)
        {
            var text = Encoding.Latin1.GetString(_received.GetBuffer(), 0, (int)_received.Length);
            var end = text.IndexOf("\r\n", StringComparison.Ordinal);
            if (end >= 0)
            {
                Consume(end + 2);
                return text[..end];
            }

            if (!await ReceiveMoreAsync())
            {
                throw new EndOfStreamException($"Server closed; pending: '{text}'");
            }
        }
    }

    /// <summary>Reads a multi-line reply up to and including ".\r\n", returned raw.</summary>
    public async Task<string> ReadMultiLineAsync()
    {
        while (true)
        {
            var text = Encoding.Latin1.GetString(_received.GetBuffer(), 0, (int)_received.Length);
            var end = text.IndexOf("\r\n.\r\n", StringComparison.Ordinal);
            if (end >= 0)
            {
                Consume(end + 5);
                return text[..(end + 5)];
            }

            if (!await ReceiveMoreAsync())
            {
                throw new EndOfStreamException($"Server closed; pending: '{text}'");
            }
        }
    }

    /// <summary>Sends a command and returns the first reply line.</summary>
    public async Task<string> CommandAsync(string line)
    {
        await SendAsync(line + "\r\n");
        return await ReadLineAsync();
    }

    public async Task LoginAsync(string user = "alice", string password = "secret")
    {
        Assert.StartsWith("+OK", await ReadLineAsync());
        Assert.StartsWith("+OK", await CommandAsync("USER " + user));
        Assert.StartsWith("+OK", await CommandAsync("PASS " + password));
    }

    /// <summary>Everything the server sends until it closes the connection.</summary>
    public async Task<string> ReadToEndAsync()
    {
        while (await ReceiveMoreAsync())
        {
        }

        var text = Encoding.Latin1.GetString(_received.GetBuffer(), 0, (int)_received.Length);
        Consume((int)_received.Length);
        return text;
    }

    private async Task<bool> ReceiveMoreAsync()
    {
        var result = await _toClient.Reader.ReadAsync();
        foreach (var segment in result.Buffer)
        {
            _received.Write(segment.Span);
        }

        _toClient.Reader.AdvanceTo(result.Buffer.End);
        return !(result.IsCompleted && result.Buffer.IsEmpty);
    }

    private void Consume(int count)
    {
        var rest = _received.GetBuffer().AsSpan(count, (int)_received.Length - count).ToArray();
        _received.SetLength(0);
        _received.Write(rest);
    }

    public async ValueTask DisposeAsync()
    {
        await _toServer.Writer.CompleteAsync();
        try
        {
            await Run;
        }
        finally
        {
            if (!_sharesProvider)
            {
                await _provider.DisposeAsync();
            }
        }
    }
}

/// <summary>alice/secret and bob/hunter 2 (a password with a space); "flaky" is temporarily unavailable.</summary>
internal sealed class TestAuthenticator : IPop3Authenticator
{
    public ValueTask<Pop3AuthenticationResult> AuthenticateAsync(string user, string password, Pop3ConnectionInfo connection, CancellationToken cancellationToken) =>
        ValueTask.FromResult((user, password) switch
        {
            ("alice", "secret") => Pop3AuthenticationResult.Success("alice"),
            ("bob", "hunter 2") => Pop3AuthenticationResult.Success("bob"),
            ("flaky", _) => Pop3AuthenticationResult.TemporaryFailure,
            _ => Pop3AuthenticationResult.Failure,
        });
}

internal sealed class NoLifetime : Microsoft.Extensions.Hosting.IHostApplicationLifetime
{
    public CancellationToken ApplicationStarted => CancellationToken.None;

    public CancellationToken ApplicationStopping => CancellationToken.None;

    public CancellationToken ApplicationStopped => CancellationToken.None;

    public void StopApplication()
    {
    }
}

/// <summary>A fake clock that also says how many timers have been created, so a test can wait until the server is waiting.</summary>
internal sealed class CountingTimeProvider : FakeTimeProvider
{
    private int _timers;

    public int TimersCreated => Volatile.Read(ref _timers);

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = base.CreateTimer(callback, state, dueTime, period);
        Interlocked.Increment(ref _timers);
        return timer;
    }

    /// <summary>Waits (yielding, never sleeping) until at least <paramref name="count"/> timers exist; fails after 10 s.</summary>
    public async Task WaitForTimersAsync(int count)
    {
        var giveUp = global::System.Diagnostics.Stopwatch.StartNew();
        while (TimersCreated < count)
        {
            if (giveUp.Elapsed > TimeSpan.FromSeconds(10))
            {
                throw new TimeoutException($"Only {TimersCreated} of {count} timers were created.");
            }

            await Task.Yield();
        }
    }
}
