using System.CommandLine;

namespace Pop3.Server.Cli;

/// <summary>
/// The command line (System.CommandLine): the server when no command is named, or one of its commands. Configuration
/// arguments (<see cref="ConfigurationArguments"/>) are taken out first and handed to the server or the command;
/// anything else that is not an option of the command is a usage error (exit 64), never a server start.
/// </summary>
internal static class Pop3Cli
{
    /// <summary>Parses and runs <paramref name="args"/>.</summary>
    /// <param name="args">The command line.</param>
    /// <param name="input">Standard input as text (hash-password).</param>
    /// <param name="output">Standard output.</param>
    /// <param name="error">Standard error.</param>
    /// <param name="message">Standard input as bytes (deliver reads the message from it unchanged).</param>
    /// <returns>A command's exit code, or the server to start with its configuration arguments.</returns>
    public static async Task<Pop3Invocation> RunAsync(string[] args, TextReader? input = null, TextWriter? output = null, TextWriter? error = null, Stream? message = null)
    {
        input ??= Console.In;
        output ??= Console.Out;
        error ??= Console.Error;
        var (commandArgs, configuration) = ConfigurationArguments.Split(args);
        Pop3Invocation? server = null;

        var verbose = new Option<bool>("--verbose", "-v") { Description = "On a start-up failure, print the exception with its stack trace." };
        var root = new RootCommand(
            "Pop3.Kestrel's ready-to-run POP3 server. Without a command the server starts; its settings come from\n" +
            "appsettings.json in the current directory, Pop3__* environment variables and configuration arguments.\n\n" +
            ConfigurationArguments.Rule + "\n\n" +
            "Exit codes: 0 stopped cleanly, 64 usage error, 78 configuration error (the key is named), 1 any other\n" +
            "start-up failure (a listener that cannot bind is named).")
        {
            verbose,
        };
        root.SetAction(result =>
        {
            server = new Pop3Invocation(null, configuration, result.GetValue(verbose));
            return SysExits.Ok;
        });

        root.Add(HashPasswordCommand.Create(input, output, error));
        root.Add(HealthCheckCommand.Create(output, error));
        root.Add(DeliverCommand.Create(configuration, () => message ?? Console.OpenStandardInput(), output, error));
        root.Add(ImportMaildirCommand.Create(configuration, output, error));
        root.Add(MigrateCommand.Create(configuration, output, error));
        var help = new Command("help", "Show this help.");
        help.SetAction(_ => root.Parse("--help").Invoke(new InvocationConfiguration { Output = output, Error = error }));
        root.Add(help);

        var parsed = root.Parse(commandArgs);
        if (parsed.Errors.Count > 0)
        {
            // The library's report (the errors, "did you mean", the command's usage), but sysexits' usage code and all on stderr.
            parsed.Invoke(new InvocationConfiguration { Output = error, Error = error, EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null });
            return new Pop3Invocation(SysExits.Usage, configuration, false);
        }

        if (configuration.Length > 0 && parsed.CommandResult.Command is var command && command != root
            && command.Name is not ("deliver" or "import-maildir" or "migrate"))
        {
            await error.WriteLineAsync($"{command.Name}: takes no configuration arguments (given {configuration[0]}).");
            return new Pop3Invocation(SysExits.Usage, configuration, false);
        }

        var code = await parsed.InvokeAsync(new InvocationConfiguration
        {
            Output = output,
            Error = error,
            EnableDefaultExceptionHandler = false,
            ProcessTerminationTimeout = null,
        });
        return server ?? new Pop3Invocation(code, configuration, false);
    }

    /// <summary>Runs a command and returns its exit code, or null when the arguments start the server.</summary>
    public static async Task<int?> TryRunAsync(string[] args, TextReader? input = null, TextWriter? output = null, TextWriter? error = null, Stream? message = null) =>
        (await RunAsync(args, input, output, error, message)).ExitCode;
}

/// <summary>What the command line asked for.</summary>
/// <param name="ExitCode">A command ran (or the arguments were wrong): exit with this. Null: start the server.</param>
/// <param name="Configuration">The configuration arguments, for the host.</param>
/// <param name="Verbose">Print a start-up failure's stack trace.</param>
internal sealed record Pop3Invocation(int? ExitCode, string[] Configuration, bool Verbose);
