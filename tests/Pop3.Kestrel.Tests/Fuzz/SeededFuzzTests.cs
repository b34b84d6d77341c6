using System.Diagnostics;
using Pop3.Fuzz;
using Xunit.Abstractions;

namespace Pop3.Kestrel.Tests.Fuzz;

/// <summary>
/// The fuzz targets of tests/Tools/Pop3.Fuzz under the seeded random-mutation fuzzer: this is the fuzzing CI runs
/// (AFL++ runs on demand with tests/Tools/Pop3.Fuzz/fuzz.sh). A fixed seed, so a failure replays; more with
/// <c>POP3_FUZZ_SECONDS</c> and <c>POP3_FUZZ_SEED</c>.
/// </summary>
public sealed class SeededFuzzTests(ITestOutputHelper output)
{
    [Fact]
    public void Every_seed_passes_every_target()
    {
        foreach (var seed in Pop3FuzzTargets.Seeds)
        {
            Pop3FuzzTargets.All(seed);
        }
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void Mutated_commands_never_crash_hang_or_allocate_out_of_proportion()
    {
        var seconds = double.TryParse(Environment.GetEnvironmentVariable("POP3_FUZZ_SECONDS"), System.Globalization.CultureInfo.InvariantCulture, out var s) ? s : 6;
        var seed = int.TryParse(Environment.GetEnvironmentVariable("POP3_FUZZ_SEED"), out var fixedSeed) ? fixedSeed : 20261126;
        var random = new Random(seed);
        var clock = Stopwatch.StartNew();
        var count = 0;

        // Bounded by time and by count, whichever comes first.
        while (clock.Elapsed.TotalSeconds < seconds && count < 1_000_000)
        {
            var input = Pop3Mutator.Next(random, Pop3FuzzTargets.Seeds);
            try
            {
                Pop3FuzzTargets.All(input);
            }
            catch (Exception e)
            {
                Assert.Fail($"input {count} of seed {seed} failed: {e.Message}\ninput (base64): {Convert.ToBase64String(input)}\n{e}");
            }

            count++;
        }

        output.WriteLine($"{count} inputs in {clock.Elapsed.TotalSeconds:F1} s, seed {seed}");
        Assert.True(count >= 50, $"only {count} inputs ran");
    }
}
