using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Pop3.Kestrel.Authentication;

/// <summary>
/// Counts failed logins per client address: each failure makes the next reply wait longer (doubling from
/// <see cref="Pop3AuthenticationOptions.FailureDelay"/> up to <see cref="Pop3AuthenticationOptions.MaxFailureDelay"/>),
/// and <see cref="Pop3AuthenticationOptions.BanAfterFailures"/> of them ban the address for
/// <see cref="Pop3AuthenticationOptions.BanDuration"/>. A successful login clears the address's count. Time comes
/// from <see cref="TimeProvider"/>, so tests do not sleep.
/// </summary>
public sealed class Pop3LoginThrottle(IOptions<Pop3AuthenticationOptions> options, TimeProvider time, ILogger<Pop3LoginThrottle> logger)
{
    // Beyond this many remembered addresses, forgotten ones are swept out (at most once a minute); beyond
    // MaxRecords a new address is not remembered but waits the longest delay, so a flood from many addresses
    // costs bounded memory and time.
    private const int SweepThreshold = 10_000;
    private const int MaxRecords = 100_000;

    private readonly Pop3AuthenticationOptions _options = options.Value;
    private readonly Lock _lock = new();
    private readonly Dictionary<IPAddress, Record> _records = [];
    private DateTimeOffset _lastSweep = DateTimeOffset.MinValue;

    /// <summary>Records a failed login from <paramref name="address"/> and returns how long to wait before replying.</summary>
    public TimeSpan RecordFailure(IPAddress? address)
    {
        var key = Key(address);
        var now = time.GetUtcNow();
        int failures;
        var banned = false;
        lock (_lock)
        {
            if (_records.Count >= SweepThreshold && now - _lastSweep > TimeSpan.FromMinutes(1))
            {
                Sweep(now);
                _lastSweep = now;
            }

            if (!_records.TryGetValue(key, out var record) || now - record.LastFailure > _options.BanDuration)
            {
                if (record is null && _records.Count >= MaxRecords)
                {
                    return DelayAfter(int.MaxValue);
                }

                record = new Record();
                _records[key] = record;
            }

            failures = ++record.Failures;
            record.LastFailure = now;
            if (_options.BanAfterFailures > 0 && failures >= _options.BanAfterFailures && record.BannedUntil <= now)
            {
                record.BannedUntil = now + _options.BanDuration;
                banned = true;
            }
        }

        if (banned)
        {
            Pop3AuthLog.AddressBanned(logger, key.ToString(), failures, (long)_options.BanDuration.TotalSeconds);
        }

        return DelayAfter(failures);
    }

    /// <summary>Clears the failures of <paramref name="address"/> after a successful login (a ban in force stays).</summary>
    public void RecordSuccess(IPAddress? address)
    {
        var key = Key(address);
        lock (_lock)
        {
            if (_records.TryGetValue(key, out var record) && record.BannedUntil <= time.GetUtcNow())
            {
                _records.Remove(key);
            }
        }
    }

    /// <summary>True while <paramref name="address"/> is banned.</summary>
    public bool IsBanned(IPAddress? address)
    {
        var key = Key(address);
        lock (_lock)
        {
            return _records.TryGetValue(key, out var record) && record.BannedUntil > time.GetUtcNow();
        }
    }

    /// <summary>The wait after the <paramref name="failures"/>-th failure in a row.</summary>
    internal TimeSpan DelayAfter(int failures)
    {
        var first = _options.FailureDelay;
        if (first <= TimeSpan.Zero || failures <= 0)
        {
            return TimeSpan.Zero;
        }

        var max = _options.MaxFailureDelay < first ? first : _options.MaxFailureDelay;
        var delay = first;
        for (var i = 1; i < failures && delay < max; i++)
        {
            delay += delay;
        }

        return delay < max ? delay : max;
    }

    private void Sweep(DateTimeOffset now)
    {
        foreach (var (key, record) in _records)
        {
            if (record.BannedUntil <= now && now - record.LastFailure > _options.BanDuration)
            {
                _records.Remove(key);
            }
        }
    }

    // IPv4 clients reached over a dual-stack socket count as the IPv4 address they are.
    private static IPAddress Key(IPAddress? address) =>
        address is null ? IPAddress.None : address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;

    private sealed class Record
    {
        public int Failures { get; set; }

        public DateTimeOffset LastFailure { get; set; }

        public DateTimeOffset BannedUntil { get; set; }
    }
}
