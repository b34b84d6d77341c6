using System.Threading.RateLimiting;

namespace Pop3.Kestrel.Authentication;

/// <summary>
/// The failures of one key (an address, a user name, a user+address pair) over a sliding window, plus the guesses
/// now being checked. The window is a <see cref="SlidingWindowRateLimiter"/> of <see cref="Segments"/> segments whose
/// sliding is driven from <see cref="TimeProvider"/> (manual replenishment), so tests move time instead of sleeping. A guess may be checked
/// only while failures in the window plus guesses in flight stay below the limit: that is what makes the limit hold
/// for guesses sent at the same moment on many connections. Not thread-safe: the throttle's lock guards it.
/// </summary>
internal sealed class Pop3GuessWindow
{
    /// <summary>Segments per window: failures age out a fifteenth of a window at a time.</summary>
    internal const int Segments = 15;

    private readonly SlidingWindowRateLimiter _failures;
    private readonly int _limit;
    private readonly long _segmentTicks;
    private long _segment;

    public Pop3GuessWindow(int limit, TimeSpan window, DateTimeOffset now)
    {
        _limit = limit;
        _segmentTicks = Math.Max(1, window.Ticks / Segments);
        _segment = now.UtcTicks / _segmentTicks;
        _failures = new SlidingWindowRateLimiter(new SlidingWindowRateLimiterOptions
        {
            PermitLimit = limit,
            // A window of one tick has segments of no length, so every TryReplenish slides one segment at once: the
            // limiter's own clock (the real one) is out of the way, and Advance slides the segments on TimeProvider's.
            Window = TimeSpan.FromTicks(1),
            SegmentsPerWindow = Segments,
            QueueLimit = 0,
            AutoReplenishment = false,
        });
    }

    /// <summary>Guesses being checked now that were counted against this window.</summary>
    public int InFlight { get; set; }

    /// <summary>Until when this key is banned (an address) or locked out (a user); in the past when it is not.</summary>
    public DateTimeOffset BlockedUntil { get; set; }

    /// <summary>Failures still in the window at <paramref name="now"/>.</summary>
    public int Failures(DateTimeOffset now)
    {
        Advance(now);
        return _limit - (int)_failures.GetStatistics()!.CurrentAvailablePermits;
    }

    /// <summary>True if one more guess may be checked at <paramref name="now"/>.</summary>
    public bool HasRoom(DateTimeOffset now) => Failures(now) + InFlight < _limit;

    /// <summary>Counts a failure at <paramref name="now"/> (a full window just stays full).</summary>
    public void Fail(DateTimeOffset now)
    {
        Advance(now);
        using var lease = _failures.AttemptAcquire(1);
    }

    private void Advance(DateTimeOffset now)
    {
        var segment = now.UtcTicks / _segmentTicks;
        for (var n = Math.Min(segment - _segment, Segments); n > 0; n--)
        {
            _failures.TryReplenish();
        }

        if (segment > _segment)
        {
            _segment = segment;
        }
    }
}
