namespace Pop3.Server.Cli;

/// <summary>Exit codes from sysexits.h, as MTAs such as Postfix read them from a mailbox_command.</summary>
internal static class SysExits
{
    public const int Ok = 0;

    /// <summary>Wrong arguments.</summary>
    public const int Usage = 64;

    /// <summary>The input could not be read.</summary>
    public const int DataError = 65;

    /// <summary>No such user: the MTA bounces the message.</summary>
    public const int NoUser = 67;

    /// <summary>The configured store cannot take mail this way.</summary>
    public const int Unavailable = 69;

    /// <summary>Configuration error.</summary>
    public const int Config = 78;

    /// <summary>Try again later: the MTA keeps the message queued.</summary>
    public const int TempFail = 75;
}

/// <summary>Options of the form <c>--name value</c> picked out of the arguments; everything else is configuration.</summary>
internal sealed class CliArguments(Dictionary<string, string> options, string[] configuration)
{
    /// <summary>The arguments left for the configuration (e.g. <c>--Pop3:Store=PostgreSql</c>).</summary>
    public string[] Configuration { get; } = configuration;

    /// <summary>The value of option <paramref name="name"/>, or null.</summary>
    public string? this[string name] => options.GetValueOrDefault(name);

    public static CliArguments Parse(string[] args, params string[] names)
    {
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        var configuration = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i].StartsWith("--", StringComparison.Ordinal) && names.Contains(args[i][2..]) && i + 1 < args.Length)
            {
                options[args[i][2..]] = args[++i];
            }
            else
            {
                configuration.Add(args[i]);
            }
        }

        return new CliArguments(options, [.. configuration]);
    }
}
