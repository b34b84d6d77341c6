using System.Diagnostics;

namespace Pop3.Kestrel.Tests.Authentication;

/// <summary>Runs Dovecot's own <c>doveadm pw</c>, to check that what we write is what Dovecot reads.</summary>
internal static class Doveadm
{
    /// <summary>The path of doveadm; a skip naming Debian's dovecot-core if it is not installed.</summary>
    public static string Path => ExternalProgram.Doveadm.Locate();

    /// <summary>True when <c>doveadm pw -t STORED -p PASSWORD</c> says the password matches.</summary>
    public static async Task<bool> VerifiesAsync(string stored, string password)
    {
        var start = new ProcessStartInfo(Path)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in (string[])["pw", "-t", stored, "-p", password])
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("doveadm did not start.");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        // Both streams are drained so that doveadm never blocks on a full pipe.
        var output = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var error = process.StandardError.ReadToEndAsync(timeout.Token);
        await process.WaitForExitAsync(timeout.Token);
        await error;
        return process.ExitCode == 0 && (await output).Contains("(verified)", StringComparison.Ordinal);
    }
}
