using System.Diagnostics;
using System.Text;

namespace Pop3.Server.Tests.Infrastructure;

/// <summary>What an external client printed and how it ended.</summary>
public sealed record ExternalToolResult(int ExitCode, string StandardOutput, string StandardError)
{
    public override string ToString() => $"exit code {ExitCode}\nstdout:\n{StandardOutput}\nstderr:\n{StandardError}";
}

/// <summary>
/// Runs a real POP3 client (curl, fetchmail, mpop, python3) as a child process: HOME set to a temp
/// folder, stdin closed, a bounded wait. A missing tool skips the test, naming the tool and its Debian package
/// (fails it when POP3_TEST_REQUIRE_TOOLS=1).
/// </summary>
public static class ExternalTool
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);

    /// <summary>
    /// The full path of <paramref name="tool"/>; if it is not installed the test is skipped, naming the tool and
    /// its Debian package (a failure with POP3_TEST_REQUIRE_TOOLS=1; see <see cref="ExternalProgramLookup"/>). The package
    /// is <see cref="ExternalProgram"/>'s for a program it knows, else <paramref name="debianPackage"/>.
    /// </summary>
    public static string Locate(string tool, string debianPackage) => ExternalProgram.Named(tool, debianPackage).Locate();

    public static Task<ExternalToolResult> RunAsync(string tool, string debianPackage, string home, params string[] arguments) =>
        RunWithInputAsync(tool, debianPackage, home, null, arguments);

    /// <summary>As <see cref="RunAsync"/>, with <paramref name="input"/> written to the tool's stdin before it is closed.</summary>
    public static async Task<ExternalToolResult> RunWithInputAsync(string tool, string debianPackage, string home, string? input, params string[] arguments)
    {
        var start = new ProcessStartInfo(Locate(tool, debianPackage))
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.Latin1,
            StandardErrorEncoding = Encoding.Latin1,
            WorkingDirectory = home,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["HOME"] = home;
        start.Environment["LC_ALL"] = "C";
        start.Environment.Remove("MAIL");
        start.Environment.Remove("FETCHMAILHOME");

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{tool} did not start");
        if (input is not null)
        {
            await process.StandardInput.WriteAsync(input);
        }

        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(DefaultTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            Assert.Fail($"{tool} {string.Join(' ', arguments)} did not finish within {DefaultTimeout.TotalSeconds} s.\nstdout:\n{await stdout}\nstderr:\n{await stderr}");
        }

        return new ExternalToolResult(process.ExitCode, await stdout, await stderr);
    }
}

/// <summary>A fresh folder under the system temp folder, deleted on dispose.</summary>
public sealed class TempDirectory : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("pop3-clients-").FullName;

    public string this[string name] => System.IO.Path.Combine(Path, name);

    /// <summary>Writes a file only its owner may read (mode 0600), as fetchmail and mpop demand of a file with a password.</summary>
    public async Task<string> WritePrivateFileAsync(string name, string text)
    {
        var path = this[name];
        await File.WriteAllTextAsync(path, text);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        return path;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
