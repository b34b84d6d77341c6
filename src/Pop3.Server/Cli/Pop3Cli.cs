namespace Pop3.Server.Cli;

/// <summary>
/// The server's commands besides serving (<c>Pop3.Server &lt;command&gt; ...</c>), run before any host is
/// built. Without a known command name the server starts as usual.
/// </summary>
internal static class Pop3Cli
{
    /// <summary>Runs the command named by <paramref name="args"/>[0] and returns its exit code, or null when there is none.</summary>
    public static async Task<int?> TryRunAsync(string[] args, TextReader? input = null, TextWriter? output = null, TextWriter? error = null)
    {
        if (args.Length == 0)
        {
            return null;
        }

        input ??= Console.In;
        output ??= Console.Out;
        error ??= Console.Error;
        var rest = args[1..];
        return args[0] switch
        {
            "hash-password" or "pw" => HashPasswordCommand.Run(rest, input, output, error),
            "healthcheck" or "--healthcheck" => await HealthCheckCommand.RunAsync(rest, output, error),
            "help" or "--help" or "-h" => Help(output),
            _ => null,
        };
    }

    private static int Help(TextWriter output)
    {
        output.WriteLine("""
            Usage: Pop3.Server [command] [options]

            Without a command the POP3 server starts (configuration: appsettings.json, Pop3__* environment variables).

            Commands:
              hash-password [-s SCHEME] [-r ROUNDS]   Hash a password for the users file, like doveadm pw.
                                                      The password is read from standard input (prompted
                                                      for, without echo, on a terminal). Default SHA512-CRYPT.
              healthcheck [URL]                       GET the admin listener's /healthz (default
                                                      http://127.0.0.1:$Pop3__Admin__Port/healthz, port 9110);
                                                      exit 0 when healthy. For container HEALTHCHECKs.
            """);
        return 0;
    }
}
