using System.Threading.Channels;
using Microsoft.Extensions.DependencyInjection;
using Pop3.Kestrel;
using Pop3.Kestrel.Hosting;
using Pop3.Kestrel.Sessions;

namespace Pop3.Server.Tests.Infrastructure;

/// <summary>
/// Hears of every session end from the server's own hook (called after the maildrop is released),
/// so a test can wait for that signal instead of sleeping or polling.
/// </summary>
public sealed class Pop3SessionRecorder
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly Channel<Pop3SessionSummary> _ended = Channel.CreateUnbounded<Pop3SessionSummary>();

    /// <summary>The summary of the next session to end.</summary>
    public async Task<Pop3SessionSummary> NextEndAsync()
    {
        try
        {
            return await _ended.Reader.ReadAsync().AsTask().WaitAsync(Timeout);
        }
        catch (TimeoutException)
        {
            Assert.Fail($"No POP3 session ended within {Timeout.TotalSeconds} s.");
            throw;
        }
    }

    internal void Ended(Pop3SessionSummary summary) => _ended.Writer.TryWrite(summary);

    internal sealed class Hooks(Pop3SessionRecorder recorder) : IPop3SessionHooks
    {
        public ValueTask OnDisconnectedAsync(Pop3ConnectionInfo connection, Pop3SessionSummary summary)
        {
            recorder.Ended(summary);
            return ValueTask.CompletedTask;
        }
    }
}

public static class Pop3SessionRecorderExtensions
{
    /// <summary>Reports every session end of this server to <paramref name="recorder"/>.</summary>
    public static Pop3ServerFactory WithSessionRecorder(this Pop3ServerFactory server, Pop3SessionRecorder recorder) =>
        server.WithServices(services =>
        {
            services.AddSingleton(recorder);
            new Pop3ServerBuilder(services).AddSessionHooks<Pop3SessionRecorder.Hooks>();
        });
}
