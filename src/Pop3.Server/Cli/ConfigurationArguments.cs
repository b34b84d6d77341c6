namespace Pop3.Server.Cli;

/// <summary>
/// Which arguments are configuration rather than options of a command: <c>--Key=value</c> or <c>--Key value</c> whose
/// key contains ':' (<c>--Pop3:Greeting=x</c>, <c>--Serilog:MinimumLevel:Default=Debug</c>), names a configuration
/// root (<c>--Pop3=</c>, as test hosts pass every section), or is one of the host's own settings
/// (<c>--environment</c>, <c>--contentRoot</c>, <c>--applicationName</c>, <c>--urls</c>).
/// </summary>
internal static class ConfigurationArguments
{
    public const string Rule =
        "Configuration arguments: --Key=value or --Key value where the key contains ':' (--Pop3:Greeting=x,\n" +
        "--Pop3:Endpoints:Default:Port=1110, --Serilog:MinimumLevel:Default=Debug) or is one of the host's\n" +
        "settings: --environment, --contentRoot, --applicationName, --urls. They override appsettings.json and\n" +
        "Pop3__* environment variables. Every key under Pop3 must be a known setting; any other argument that is\n" +
        "not an option of the command is an error.";

    private static readonly HashSet<string> HostKeys = new(StringComparer.OrdinalIgnoreCase)
    {
        "environment", "contentRoot", "applicationName", "urls", "Pop3", "Serilog", "Logging", "Kestrel",
    };

    /// <summary>Splits <paramref name="args"/> into the command's own arguments and the configuration arguments.</summary>
    public static (string[] Command, string[] Configuration) Split(IReadOnlyList<string> args)
    {
        var command = new List<string>();
        var configuration = new List<string>();
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (!IsConfiguration(arg))
            {
                command.Add(arg);
                continue;
            }

            configuration.Add(arg);
            if (!arg.Contains('=', StringComparison.Ordinal) && i + 1 < args.Count && !args[i + 1].StartsWith("--", StringComparison.Ordinal))
            {
                configuration.Add(args[++i]);
            }
        }

        return ([.. command], [.. configuration]);
    }

    private static bool IsConfiguration(string arg)
    {
        if (!arg.StartsWith("--", StringComparison.Ordinal) || arg.Length == 2)
        {
            return false;
        }

        var key = arg[2..].Split('=', 2)[0];
        return key.Contains(':', StringComparison.Ordinal) || HostKeys.Contains(key);
    }
}
