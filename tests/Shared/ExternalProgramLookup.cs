using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;

namespace Pop3.Tests;

/// <summary>
/// Finds the external programs tests drive, and decides what a missing one means: by default the test is skipped
/// with a reason naming the program and its Debian package; with <c>POP3_TEST_REQUIRE_TOOLS=1</c> (what CI sets)
/// the test fails instead, so every interop path is proven where the programs are installed.
/// </summary>
/// <remarks>
/// A program is searched for in the folders of PATH only, in order, and must be an executable file. Programs that
/// Debian keeps off PATH are then looked for through one found on PATH (<see cref="ExternalProgramHome"/>):
/// PostgreSQL's server programs in the folder that <c>pg_config --bindir</c> prints, Dovecot's helper processes in
/// <c>lib/dovecot</c> beside doveadm's folder. So a PATH without those folders is a faithful picture of a machine
/// without the programs.
/// </remarks>
internal sealed class ExternalProgramLookup(string searchPath, bool required)
{
    /// <summary>The environment variable that turns a missing program from a skip into a failure.</summary>
    public const string RequireVariable = "POP3_TEST_REQUIRE_TOOLS";

    // Asked once per lookup, and only when a PostgreSQL program is not on PATH.
    private readonly Lazy<string?> _postgreSqlBinDir = new(() => AskPgConfigForBinDir(searchPath));

    /// <summary>The lookup of this process: PATH, and <c>POP3_TEST_REQUIRE_TOOLS</c> set to 1 or true.</summary>
    public static ExternalProgramLookup FromEnvironment { get; } = new(
        Environment.GetEnvironmentVariable("PATH") ?? "",
        Environment.GetEnvironmentVariable(RequireVariable) is "1" or "true" or "True" or "TRUE");

    /// <summary>True when a missing program fails its test rather than skipping it.</summary>
    public bool Required => required;

    /// <summary>The full path of <paramref name="program"/>, or null if it is not installed.</summary>
    public string? Find(ExternalProgram program) =>
        FindOnPath(searchPath, program.Name) ?? program.Home switch
        {
            ExternalProgramHome.PostgreSqlBinDir => FindIn(_postgreSqlBinDir.Value, program.Name),
            ExternalProgramHome.DovecotLibexec => FindIn(DovecotLibexec(), program.Name),
            _ => null,
        };

    /// <summary>The full path of <paramref name="program"/>; if it is not installed, <see cref="Unavailable"/>.</summary>
    public string Locate(ExternalProgram program) => Find(program) ?? Unavailable(program.Needs);

    /// <summary>
    /// Ends the test for want of something outside the repository: a skip carrying <paramref name="reason"/>, or,
    /// when <see cref="Required"/>, a failure carrying it.
    /// </summary>
    [DoesNotReturn]
    public string Unavailable(string reason)
    {
        if (required)
        {
            Assert.Fail($"{reason}; {RequireVariable}=1 makes a missing program a failure (unset it to skip such tests instead).");
        }

        throw new SkipTestException(reason);
    }

    private static string? FindOnPath(string searchPath, string name)
    {
        foreach (var folder in searchPath.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(folder, name);
            if (IsExecutableFile(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    private static string? FindIn(string? folder, string name) =>
        folder is not null && IsExecutableFile(Path.Combine(folder, name)) ? Path.Combine(folder, name) : null;

    private string? DovecotLibexec() =>
        (FindOnPath(searchPath, "doveadm") ?? FindOnPath(searchPath, "dovecot")) is { } program
            ? Path.Combine(Path.GetDirectoryName(Path.GetDirectoryName(program))!, "lib", "dovecot")
            : null;

    private static string? AskPgConfigForBinDir(string searchPath)
    {
        if (FindOnPath(searchPath, "pg_config") is not { } pgConfig)
        {
            return null;
        }

        var start = new ProcessStartInfo(pgConfig, ["--bindir"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["PATH"] = searchPath;
        try
        {
            using var process = Process.Start(start);
            if (process is null)
            {
                return null;
            }

            var output = process.StandardOutput.ReadToEndAsync();
            _ = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(TimeSpan.FromSeconds(30)))
            {
                process.Kill(entireProcessTree: true);
                return null;
            }

            var folder = output.Result.Trim();
            return process.ExitCode == 0 && Directory.Exists(folder) ? folder : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // pg_config is a script whose interpreter is not on PATH: no usable PostgreSQL installation.
            return null;
        }
    }

    private static bool IsExecutableFile(string path)
    {
        if (!File.Exists(path))
        {
            return false;
        }

        if (OperatingSystem.IsWindows())
        {
            return true;
        }

        const UnixFileMode anyExecute = UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
        return (File.GetUnixFileMode(path) & anyExecute) != 0;
    }
}
