using System.Globalization;

namespace Pop3.AttackHarness;

/// <summary>What to run and how far; every count and time is bounded.</summary>
internal sealed record HarnessOptions
{
    public IReadOnlySet<char> Scenarios { get; init; } = new HashSet<char>("abcde");

    /// <summary>The whole run stops after this, whatever it is doing.</summary>
    public TimeSpan TimeLimit { get; init; } = TimeSpan.FromMinutes(15);

    /// <summary>One scenario stops after this.</summary>
    public TimeSpan ScenarioLimit { get; init; } = TimeSpan.FromMinutes(3);

    public int IdleConnections { get; init; } = 1200;

    public int IdleAddresses { get; init; } = 300;

    public int FloodConnections { get; init; } = 5000;

    public int FloodAddresses { get; init; } = 1000;

    /// <summary>Whether the silent connections of (d) reconnect when the server closes them, as a determined attacker does.</summary>
    public bool Reconnect { get; init; } = true;

    /// <summary>The built Pop3.Server.dll to start; by default the one beside the harness.</summary>
    public string ServerDll { get; init; } = Path.Combine(AppContext.BaseDirectory, "Pop3.Server.dll");

    /// <summary>Where to write the JSON report besides standard output.</summary>
    public string? JsonPath { get; init; }

    /// <summary>Extra server settings (<c>--Pop3:...=value</c>), after the harness's own; defaults otherwise.</summary>
    public IReadOnlyList<string> ServerSettings { get; init; } = [];

    public const string Usage = """
        usage: Pop3.AttackHarness [--scenarios abcde] [--time-limit SECONDS] [--scenario-limit SECONDS]
                                  [--idle N] [--idle-addresses N] [--flood N] [--flood-addresses N] [--no-reconnect]
                                  [--server-dll PATH] [--json PATH] [--server-setting --Pop3:Key=value]...
        Starts the built Pop3.Server on 127.0.0.1 (a fresh users file and Maildirs per scenario, server defaults),
        attacks it from many 127.x.y.z source addresses and prints a table and JSON. Loopback only; bounded.
        """;

    public static HarnessOptions Parse(string[] args)
    {
        var options = new HarnessOptions();
        var settings = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            int Count() => int.Parse(Next(), NumberStyles.None, CultureInfo.InvariantCulture) is var n and > 0 and <= 20_000
                ? n
                : throw new ArgumentException($"{args[i - 1]} must be between 1 and 20000");
            options = args[i] switch
            {
                "--scenarios" => options with { Scenarios = Next().ToLowerInvariant().Where("abcde".Contains).ToHashSet() },
                "--time-limit" => options with { TimeLimit = TimeSpan.FromSeconds(Count()) },
                "--scenario-limit" => options with { ScenarioLimit = TimeSpan.FromSeconds(Count()) },
                "--idle" => options with { IdleConnections = Count() },
                "--idle-addresses" => options with { IdleAddresses = Count() },
                "--flood" => options with { FloodConnections = Count() },
                "--flood-addresses" => options with { FloodAddresses = Count() },
                "--no-reconnect" => options with { Reconnect = false },
                "--server-dll" => options with { ServerDll = Path.GetFullPath(Next()) },
                "--json" => options with { JsonPath = Next() },
                "--server-setting" => AddSetting(options, settings, Next()),
                "--help" or "-h" => throw new ArgumentException(Usage),
                _ => throw new ArgumentException($"unknown argument {args[i]}\n{Usage}"),
            };
        }

        return options with { ServerSettings = settings };
    }

    private static HarnessOptions AddSetting(HarnessOptions options, List<string> settings, string setting)
    {
        if (!setting.StartsWith("--Pop3:", StringComparison.Ordinal) || setting.Contains("Endpoints", StringComparison.Ordinal) || setting.Contains("Admin:Address", StringComparison.Ordinal))
        {
            throw new ArgumentException("--server-setting takes --Pop3:Key=value; the listeners stay on loopback");
        }

        settings.Add(setting);
        return options;
    }
}
