using System.Globalization;
using System.Net;

namespace Pop3.LoadTool;

/// <summary>What to run, against which server. Parsed from <c>--name value</c> pairs.</summary>
public sealed record LoadOptions
{
    public string Scenario { get; init; } = "login";

    public string Host { get; init; } = "127.0.0.1";

    public int Port { get; init; } = 110;

    /// <summary>The user name; <c>{n}</c> is replaced by the worker's index modulo <see cref="Users"/> (1-based), so workers can use separate mailboxes.</summary>
    public string User { get; init; } = "user";

    public string Password { get; init; } = "password";

    /// <summary>How many distinct users <c>{n}</c> ranges over.</summary>
    public int Users { get; init; } = 1;

    /// <summary>Concurrent sessions (for idle: sessions to hold).</summary>
    public int Concurrency { get; init; } = 1;

    /// <summary>How long the measured part runs (for idle: how long the sessions are held).</summary>
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Stop after this many operations (sessions, messages or commands), whichever comes first.</summary>
    public long MaxRequests { get; init; } = long.MaxValue;

    /// <summary>Commands per write in the pipeline scenario (1 = lockstep).</summary>
    public int Depth { get; init; } = 16;

    /// <summary>The server's process id: its tree's CPU and memory are measured. 0 = not measured.</summary>
    public int ServerPid { get; init; }

    /// <summary>"none" (plaintext), "stls" (STLS after the greeting) or "implicit" (TLS from the first octet, as on port 995).</summary>
    public string Tls { get; init; } = "none";

    /// <summary>
    /// Whether TLS sessions are resumed on reconnect (TLS 1.3 tickets, TLS 1.2 session ids), as a mail client that
    /// polls every few minutes would. Off by default: every login is then a full handshake.
    /// </summary>
    public bool TlsResume { get; init; }

    /// <summary>A label copied into the output (e.g. "ours", "dovecot").</summary>
    public string Label { get; init; } = "";

    public static LoadOptions Parse(IReadOnlyList<string> args)
    {
        var options = new LoadOptions();
        for (var i = 0; i < args.Count; i++)
        {
            var name = args[i];
            if (i + 1 >= args.Count || !name.StartsWith("--", StringComparison.Ordinal))
            {
                throw new ArgumentException($"Expected '--name value', got '{name}'.");
            }

            var value = args[++i];
            options = name switch
            {
                "--scenario" => options with { Scenario = value },
                "--host" => options with { Host = value },
                "--port" => options with { Port = Int(value) },
                "--user" => options with { User = value },
                "--password" => options with { Password = value },
                "--users" => options with { Users = Int(value) },
                "--concurrency" => options with { Concurrency = Int(value) },
                "--duration" => options with { Duration = TimeSpan.FromSeconds(double.Parse(value, CultureInfo.InvariantCulture)) },
                "--max-requests" => options with { MaxRequests = long.Parse(value, CultureInfo.InvariantCulture) },
                "--depth" => options with { Depth = Int(value) },
                "--server-pid" => options with { ServerPid = Int(value) },
                "--label" => options with { Label = value },
                "--tls-resume" => options with { TlsResume = bool.Parse(value) },
                "--tls" => value is "none" or "stls" or "implicit" ? options with { Tls = value } : throw new ArgumentException($"--tls is none, stls or implicit, not '{value}'."),
                _ => throw new ArgumentException($"Unknown option '{name}'."),
            };
        }

        return options;
    }

    private static int Int(string value) => int.Parse(value, CultureInfo.InvariantCulture);

    /// <summary>The user of worker <paramref name="worker"/> (0-based).</summary>
    public string UserFor(int worker) => User.Replace("{n}", ((worker % Math.Max(1, Users)) + 1).ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal);

    /// <summary>
    /// The endpoint to load, refusing anything that is not loopback (127.0.0.0/8 or ::1): a load tool must
    /// never be pointed at someone else's server. A name must resolve to loopback addresses only.
    /// </summary>
    public IPEndPoint ResolveLoopback()
    {
        if (Port is <= 0 or > 65535)
        {
            throw new ArgumentException($"Invalid port {Port}.");
        }

        IPAddress[] addresses = IPAddress.TryParse(Host, out var literal) ? [literal] : Dns.GetHostAddresses(Host);
        if (addresses.Length == 0 || addresses.Any(a => !IPAddress.IsLoopback(a)))
        {
            throw new ArgumentException($"Refusing to load '{Host}': only loopback targets (127.0.0.0/8, ::1) are allowed.");
        }

        return new IPEndPoint(addresses[0], Port);
    }
}
