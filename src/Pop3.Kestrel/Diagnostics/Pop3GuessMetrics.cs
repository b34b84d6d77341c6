using System.Diagnostics.Metrics;
using Pop3.Kestrel.Authentication;

namespace Pop3.Kestrel.Diagnostics;

/// <summary>
/// The password-guessing instruments, on the same <c>Pop3.Kestrel</c> meter as <see cref="Pop3Metrics"/>: guesses
/// checked, refused unchecked (by reason), failed, users locked out, and the bans in force.
/// </summary>
internal sealed class Pop3GuessMetrics
{
    private readonly Counter<long> _evaluated;
    private readonly Counter<long> _refused;
    private readonly Counter<long> _failed;
    private readonly Counter<long> _lockouts;

    public Pop3GuessMetrics(IMeterFactory meters, Pop3LoginThrottle throttle)
    {
        var meter = meters.Create(Pop3Metrics.MeterName);
        _evaluated = meter.CreateCounter<long>("pop3.guesses.evaluated", "{guess}", "Password guesses the limiter let through to be checked.");
        _refused = meter.CreateCounter<long>("pop3.guesses.refused", "{guess}", "Password guesses refused unchecked, by reason (pop3.reason: address-banned, user-locked-out, user-address-limit).");
        _failed = meter.CreateCounter<long>("pop3.guesses.failed", "{guess}", "Password guesses that were checked and wrong.");
        _lockouts = meter.CreateCounter<long>("pop3.lockouts", "{lockout}", "Users locked out from unfamiliar addresses after failed guesses.");
        meter.CreateObservableGauge("pop3.bans.active", () => (long)throttle.ActiveBans, "{ban}", "Address bans in force, as this node knows them.");
    }

    public void Evaluated() => _evaluated.Add(1);

    public void Refused(Pop3GuessRefusal reason) => _refused.Add(1, new KeyValuePair<string, object?>("pop3.reason", Pop3LoginGuard.ReasonName(reason)));

    public void Failed() => _failed.Add(1);

    public void LockedOut() => _lockouts.Add(1);
}
