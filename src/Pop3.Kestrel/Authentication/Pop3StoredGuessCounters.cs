namespace Pop3.Kestrel.Authentication;

/// <summary>
/// The guess counters of a shared <see cref="IPop3GuessStore"/>: the store counts and decides for every node; this
/// node's <see cref="Pop3LoginThrottle"/> still starts the bans (kept in the lockout store) and sets the reply delay.
/// </summary>
internal sealed class Pop3StoredGuessCounters(IPop3GuessStore store, Pop3LoginThrottle throttle) : IPop3GuessCounters
{
    public async ValueTask<Pop3GuessStart> TryBeginAsync(string address, string? user, bool familiar, CancellationToken cancellationToken) =>
        await store.TryBeginAsync(address, user, familiar, cancellationToken) switch
        {
            Pop3GuessVerdict.Allowed => new Pop3GuessStart(new Pop3GuessTicket(address, user, null, null, null), Pop3GuessRefusal.None),
            Pop3GuessVerdict.AddressBanned => new Pop3GuessStart(null, Pop3GuessRefusal.AddressBanned),
            Pop3GuessVerdict.UserLockedOut => new Pop3GuessStart(null, Pop3GuessRefusal.UserLockedOut),
            _ => new Pop3GuessStart(null, Pop3GuessRefusal.UserAddressLimit),
        };

    public async ValueTask<Pop3GuessFailure> FailAsync(Pop3GuessTicket? ticket, string address, string? user, CancellationToken cancellationToken)
    {
        var held = ticket?.Release() ?? false;
        var (addressFailures, userFailures, lockedOutUntil) = await store.FailAsync(held, address, user, cancellationToken);

        // Every node reading a count at the limit may start the ban; the lockout store keeps one per address.
        var ban = throttle.StartBanIfDue(address, addressFailures);
        return new Pop3GuessFailure(throttle.DelayAfter(addressFailures), addressFailures, ban, userFailures, lockedOutUntil);
    }

    public ValueTask EndAsync(Pop3GuessTicket ticket, CancellationToken cancellationToken) =>
        ticket.Release() ? store.EndAsync(ticket.Address, ticket.User, cancellationToken) : ValueTask.CompletedTask;

    public async ValueTask<bool> UnlockAsync(string user, CancellationToken cancellationToken)
    {
        var wasLocked = await store.UnlockAsync(user, cancellationToken);

        // This node's own windows too, in case it counted in memory before the store was configured.
        return throttle.Unlock(user) | wasLocked;
    }

    public ValueTask ForgetAddressAsync(string address, CancellationToken cancellationToken) => store.ForgetAddressAsync(address, cancellationToken);
}
