using System.Net;
using Microsoft.Extensions.Options;
using Pop3.Kestrel.Authentication;
using Pop3.Kestrel.Tests.Sessions;
using Xunit.Abstractions;

namespace Pop3.Kestrel.Tests.Authentication;

/// <summary>
/// The tracking tables of the guess limiter hold at most <c>TrackedEntries</c> keys each, whatever the number of
/// addresses and users seen, and what one key costs. Alone in its collection: the heap it measures is the process's,
/// so tests running beside it would count their own allocations.
/// </summary>
[Collection(Name)]
public sealed class GuessLimiterMemoryTests(ITestOutputHelper output)
{
    /// <summary>The collection that runs this class with nothing beside it.</summary>
    public const string Name = "Guess limiter memory";

    [Fact]
    public void Tracking_tables_stay_within_their_bound_under_two_hundred_thousand_addresses()
    {
        var time = new CountingTimeProvider();
        var throttle = new Pop3LoginThrottle(Options.Create(new Pop3AuthenticationOptions { TrackedEntries = 10_000 }), time);
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var bytes = new byte[4];
        for (var i = 0; i < 200_000; i++)
        {
            BitConverter.TryWriteBytes(bytes, i);
            var address = new IPAddress(bytes).ToString();
            var user = "user" + i;
            throttle.Fail(throttle.TryBegin(address, user, familiar: false, out _), address, user);
        }

        Assert.Equal((10_000, 10_000, 10_000), throttle.Tracked);

        // What one tracked key costs (docs/operations.md states the bound from it): the three tables are full.
        var perEntry = (GC.GetTotalMemory(forceFullCollection: true) - before) / 30_000.0;
        output.WriteLine($"{perEntry:F0} bytes per tracked entry");
        Assert.InRange(perEntry, 0, 1000);
        GC.KeepAlive(throttle);
    }
}

/// <summary>Runs <see cref="GuessLimiterMemoryTests"/> with no other test at the same time.</summary>
[CollectionDefinition(GuessLimiterMemoryTests.Name, DisableParallelization = true)]
public sealed class GuessLimiterMemoryCollection;
