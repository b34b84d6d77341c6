using System.Runtime.InteropServices;

namespace Pop3.AttackHarness;

/// <summary>
/// The open-file limit (ulimit -n) of this process, raised to its hard maximum: thousands of held connections need a
/// descriptor each. The server started by the harness inherits the raised limit.
/// </summary>
internal static partial class FileLimit
{
    private const int RlimitNofile = 7;

    /// <summary>Raises the soft limit to the hard one where the OS allows; returns (soft, hard) after.</summary>
    public static (ulong Soft, ulong Hard) Raise()
    {
        if (!OperatingSystem.IsLinux())
        {
            return (0, 0);
        }

        var limit = new Rlimit();
        if (GetRlimit(RlimitNofile, ref limit) != 0)
        {
            return (0, 0);
        }

        if (limit.Current < limit.Maximum)
        {
            var raised = new Rlimit { Current = limit.Maximum, Maximum = limit.Maximum };
            if (SetRlimit(RlimitNofile, ref raised) == 0)
            {
                limit = raised;
            }
        }

        return (limit.Current, limit.Maximum);
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct Rlimit
    {
        public ulong Current;
        public ulong Maximum;
    }

    [LibraryImport("libc", EntryPoint = "getrlimit", SetLastError = true)]
    private static partial int GetRlimit(int resource, ref Rlimit limit);

    [LibraryImport("libc", EntryPoint = "setrlimit", SetLastError = true)]
    private static partial int SetRlimit(int resource, ref Rlimit limit);
}
