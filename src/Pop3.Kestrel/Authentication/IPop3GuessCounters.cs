namespace Pop3.Kestrel.Authentication;

/// <summary>
/// Where the guess windows of <see cref="Pop3LoginThrottle"/> are counted (failures per address, per user and per
/// user+address pair, the guesses being checked now, user lockouts). In each node's memory by default
/// (<see cref="Pop3MemoryGuessCounters"/>); a shared store (PostgreSQL) counts them once for every node, so a limit
/// is the same whatever the number of nodes. Every method decides atomically: a guess allowed holds a place in each
/// window until <see cref="FailAsync"/> or <see cref="EndAsync"/>, so guesses sent at the same moment on many
/// connections (and nodes) never exceed a limit. A store that cannot answer throws; the caller refuses the guess.
/// </summary>
internal interface IPop3GuessCounters
{
    /// <summary>
    /// Asks whether a guess at <paramref name="user"/> (lower case; null when not known before checking) from
    /// <paramref name="address"/> (a key of <see cref="Pop3AddressKey"/>) may be checked; see
    /// <see cref="Pop3LoginThrottle.TryBegin"/>.
    /// </summary>
    ValueTask<Pop3GuessStart> TryBeginAsync(string address, string? user, bool familiar, CancellationToken cancellationToken);

    /// <summary>Counts a failed guess (its place, if <paramref name="ticket"/> holds one, becomes a failure).</summary>
    ValueTask<Pop3GuessFailure> FailAsync(Pop3GuessTicket? ticket, string address, string? user, CancellationToken cancellationToken);

    /// <summary>A guess ended without failing: its places are given back.</summary>
    ValueTask EndAsync(Pop3GuessTicket ticket, CancellationToken cancellationToken);

    /// <summary>Lifts the lockout of <paramref name="user"/> and forgets its failures; false if it was not locked out.</summary>
    ValueTask<bool> UnlockAsync(string user, CancellationToken cancellationToken);

    /// <summary>Forgets the failures counted against <paramref name="address"/> (its ban is being lifted).</summary>
    ValueTask ForgetAddressAsync(string address, CancellationToken cancellationToken);
}

/// <summary>The answer to <see cref="IPop3GuessCounters.TryBeginAsync"/>: a ticket, or why there is none.</summary>
/// <param name="Ticket">The guess's places, when it may be checked.</param>
/// <param name="Refusal">Why it may not, otherwise.</param>
internal readonly record struct Pop3GuessStart(Pop3GuessTicket? Ticket, Pop3GuessRefusal Refusal);
