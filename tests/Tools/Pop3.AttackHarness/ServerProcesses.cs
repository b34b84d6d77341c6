using System.Collections.Concurrent;
using System.Diagnostics;

namespace Pop3.AttackHarness;

/// <summary>The servers the harness started, so that a forced stop (the watchdog, Ctrl+C) never leaves one running.</summary>
internal static class ServerProcesses
{
    private static readonly ConcurrentDictionary<Process, byte> s_running = new();

    static ServerProcesses() => AppDomain.CurrentDomain.ProcessExit += (_, _) => KillAll();

    public static void Add(Process process) => s_running[process] = 0;

    public static void Remove(Process process) => s_running.TryRemove(process, out _);

    public static void KillAll()
    {
        foreach (var process in s_running.Keys)
        {
            try
            {
                process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // Already gone.
            }
        }
    }
}
