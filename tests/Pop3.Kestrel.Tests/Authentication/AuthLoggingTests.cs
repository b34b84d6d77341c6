using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using static Pop3.Kestrel.Tests.Authentication.AuthUsers;

namespace Pop3.Kestrel.Tests.Authentication;

public sealed class AuthLoggingTests : IDisposable
{
    private readonly AuthUsers _users = new();
    private readonly CapturingProvider _logs = new();

    public void Dispose() => _users.Dispose();

    [Fact]
    public async Task No_secret_is_ever_logged_and_information_logs_name_no_attempted_user()
    {
        const string Password = "Sup3rS3cret!";
        var plain = B64("\0nobody\0" + Password);
        var login = B64(Password);
        await using (var s = _users.Harness(
            new() { ["Pop3:Authentication:Apop"] = "true", ["Pop3:Authentication:MaxAttempts"] = "20" },
            configure: b => b.Services.AddLogging(l => l.SetMinimumLevel(LogLevel.Trace).AddProvider(_logs))))
        {
            var greeting = await s.ReadLineAsync();
            var digest = Convert.ToHexStringLower(MD5.HashData(Encoding.ASCII.GetBytes(greeting[greeting.IndexOf('<')..] + Password)));
            await s.CommandAsync("USER alice");
            await s.CommandAsync("PASS " + Password);
            await s.CommandAsync("USER nobody");
            await s.CommandAsync("PASS " + Password);
            await s.CommandAsync("AUTH PLAIN " + plain);
            await s.CommandAsync("AUTH LOGIN " + B64("nobody"));
            await s.CommandAsync(login);
            await s.CommandAsync("APOP nobody " + digest);
            await s.CommandAsync("AUTH PLAIN " + B64("\0alice\0secret"));
            await s.CommandAsync("QUIT");
        }

        var all = _logs.Entries.ToArray();
        Assert.Contains(all, e => e.Message.Contains("Authentication failed (USER/PASS)", StringComparison.Ordinal));
        foreach (var (level, message) in all)
        {
            Assert.DoesNotContain(Password, message);
            Assert.DoesNotContain(plain, message);
            Assert.DoesNotContain(login, message);
            if (level >= LogLevel.Information && !message.StartsWith("Disconnected", StringComparison.Ordinal))
            {
                Assert.DoesNotContain("nobody", message);
                Assert.DoesNotContain("alice", message);
            }
        }

        // Attempted names are for Debug only.
        Assert.Contains(all, e => e.Level == LogLevel.Debug && e.Message.Contains("nobody", StringComparison.Ordinal));
    }

    private sealed class CapturingProvider : ILoggerProvider
    {
        public ConcurrentQueue<(LogLevel Level, string Message)> Entries { get; } = new();

        public ILogger CreateLogger(string categoryName) => new Logger(this);

        public void Dispose()
        {
        }

        private sealed class Logger(CapturingProvider provider) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                provider.Entries.Enqueue((logLevel, formatter(state, exception) + " " + exception));
        }
    }
}
