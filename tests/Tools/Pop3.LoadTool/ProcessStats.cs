using System.Globalization;
using System.Runtime.InteropServices;

namespace Pop3.LoadTool;

/// <summary>CPU time and memory of a process tree, read from /proc (Linux only; zeros elsewhere).</summary>
public static partial class ProcessStats
{
    private static readonly double s_tickSeconds = 1.0 / ClockTicks();

    /// <summary>
    /// CPU seconds (user + system) of <paramref name="pid"/> and its descendants, including children they
    /// have reaped (cutime, cstime), so CPU of processes that exited during a run is not lost.
    /// </summary>
    public static double TreeCpuSeconds(int pid)
    {
        double total = 0;
        foreach (var process in Tree(pid))
        {
            if (ReadStat(process) is { } stat)
            {
                total += (stat.UTime + stat.STime + stat.CUTime + stat.CSTime) * s_tickSeconds;
            }
        }

        return total;
    }

    /// <summary>CPU seconds of this process.</summary>
    public static double SelfCpuSeconds() => ReadStat(Environment.ProcessId) is { } s ? (s.UTime + s.STime) * s_tickSeconds : 0;

    /// <summary>PSS and RSS in KiB summed over the process tree (smaps_rollup), and how many processes it has.</summary>
    public static (long PssKiB, long RssKiB, int Processes) TreeMemory(int pid)
    {
        long pss = 0, rss = 0;
        var count = 0;
        foreach (var process in Tree(pid))
        {
            try
            {
                foreach (var line in File.ReadLines($"/proc/{process}/smaps_rollup"))
                {
                    if (line.StartsWith("Pss:", StringComparison.Ordinal))
                    {
                        pss += KiB(line);
                    }
                    else if (line.StartsWith("Rss:", StringComparison.Ordinal))
                    {
                        rss += KiB(line);
                    }
                }

                count++;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // The process ended while being read.
            }
        }

        return (pss, rss, count);
    }

    /// <summary><paramref name="pid"/> and every live descendant.</summary>
    public static List<int> Tree(int pid)
    {
        var result = new List<int>();
        if (!Directory.Exists($"/proc/{pid}"))
        {
            return result;
        }

        var children = new Dictionary<int, List<int>>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(dir), out var id) && ReadStat(id) is { } stat)
            {
                if (!children.TryGetValue(stat.ParentId, out var list))
                {
                    children[stat.ParentId] = list = [];
                }

                list.Add(id);
            }
        }

        var queue = new Queue<int>([pid]);
        while (queue.TryDequeue(out var next))
        {
            result.Add(next);
            if (children.TryGetValue(next, out var list))
            {
                list.ForEach(queue.Enqueue);
            }
        }

        return result;
    }

    private static long KiB(string line) =>
        long.Parse(line.AsSpan(4).Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture);

    private readonly record struct Stat(int ParentId, long UTime, long STime, long CUTime, long CSTime);

    private static Stat? ReadStat(int pid)
    {
        string text;
        try
        {
            text = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        // The command name may contain spaces and parentheses: fields start after the last ')'.
        var fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
        return new Stat(
            int.Parse(fields[1], CultureInfo.InvariantCulture),
            long.Parse(fields[11], CultureInfo.InvariantCulture),
            long.Parse(fields[12], CultureInfo.InvariantCulture),
            long.Parse(fields[13], CultureInfo.InvariantCulture),
            long.Parse(fields[14], CultureInfo.InvariantCulture));
    }

    private static long ClockTicks()
    {
        if (!OperatingSystem.IsLinux())
        {
            return 100;
        }

        const int ScClkTck = 2;
        var ticks = SysConf(ScClkTck);
        return ticks > 0 ? ticks : 100;
    }

    [LibraryImport("libc", EntryPoint = "sysconf")]
    private static partial long SysConf(int name);
}
