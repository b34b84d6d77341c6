using Pop3.Fuzz;
using SharpFuzz;

// dotnet Pop3.Fuzz.dll afl                  -- the AFL++ target (instrumented by SharpFuzz; see fuzz.sh)
// dotnet Pop3.Fuzz.dll corpus <dir>         -- writes the seed corpus
// dotnet Pop3.Fuzz.dll run <file-or-dir>... -- replays inputs (a crash found by AFL++), exit 1 on a failure
// dotnet Pop3.Fuzz.dll mutate <seconds> [seed] -- the seeded random-mutation fuzzer, no AFL++ needed
switch (args.FirstOrDefault())
{
    case "afl":
        Fuzzer.OutOfProcess.Run(stream =>
        {
            using var memory = new MemoryStream();
            stream.CopyTo(memory);
            Pop3FuzzTargets.All(memory.ToArray());
        });
        return 0;

    case "corpus" when args.Length == 2:
        Directory.CreateDirectory(args[1]);
        for (var i = 0; i < Pop3FuzzTargets.Seeds.Count; i++)
        {
            File.WriteAllBytes(Path.Combine(args[1], $"seed{i:D2}"), Pop3FuzzTargets.Seeds[i]);
        }

        return 0;

    case "run" when args.Length >= 2:
        var failed = 0;
        foreach (var file in args.Skip(1).SelectMany(a => Directory.Exists(a) ? Directory.EnumerateFiles(a) : [a]))
        {
            try
            {
                Pop3FuzzTargets.All(File.ReadAllBytes(file));
            }
            catch (Exception e)
            {
                failed++;
                Console.WriteLine($"{file}: {e}");
            }
        }

        Console.WriteLine(failed == 0 ? "no failures" : $"{failed} failures");
        return failed == 0 ? 0 : 1;

    case "mutate" when args.Length >= 2:
        var seconds = double.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture);
        var seed = args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : Environment.TickCount;
        var random = new Random(seed);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var count = 0;
        while (clock.Elapsed.TotalSeconds < seconds)
        {
            var input = Pop3Mutator.Next(random, Pop3FuzzTargets.Seeds);
            try
            {
                Pop3FuzzTargets.All(input);
            }
            catch (Exception e)
            {
                var path = Path.GetFullPath($"crash-{seed}-{count}");
                File.WriteAllBytes(path, input);
                Console.WriteLine($"input {count} (seed {seed}) failed, saved to {path}: {e}");
                return 1;
            }

            count++;
        }

        Console.WriteLine($"{count} inputs in {clock.Elapsed.TotalSeconds:F0} s, seed {seed}: no failures");
        return 0;

    default:
        Console.Error.WriteLine("usage: Pop3.Fuzz afl | corpus <dir> | run <file-or-dir>... | mutate <seconds> [seed]");
        return 2;
}
