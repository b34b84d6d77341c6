namespace Pop3.Kestrel.Authentication;

/// <summary>
/// Counts the login guards' guess windows (failures per address, per user and per user+address pair, the guesses
/// being checked now, user lockouts) in a store every node shares, such as a database, so that each limit of
/// <see cref="Pop3AuthenticationOptions"/> holds for the fleet rather than per node. Register one with
/// <see cref="Hosting.Pop3ServerBuilder.AddGuessStore{T}"/>; without one, each node counts
/// in its own memory. Keys are opaque strings: an address key (an IPv6 address as its /64) and a lower-case user name.
/// </summary>
/// <remarks>
/// Every method must decide atomically across nodes: a guess allowed by <see cref="TryBeginAsync"/> holds a place in
/// each window until <see cref="FailAsync"/> (the place becomes a failure) or <see cref="EndAsync"/> (the place is
/// given back), so guesses sent at once on many connections never exceed a limit. A store that cannot answer throws;
/// the guard then refuses the guess rather than let it through unchecked.
/// </remarks>
public interface IPop3GuessStore
{
    /// <summary>
    /// Whether a guess at <paramref name="user"/> (null when the mechanism names none before checking) from
    /// <paramref name="address"/> may be checked now; if so, it holds a place in each window until it fails or ends.
    /// A <paramref name="familiar"/> address (one the user logged in from before) is exempt from the user's lockout.
    /// </summary>
    ValueTask<Pop3GuessVerdict> TryBeginAsync(string address, string? user, bool familiar, CancellationToken cancellationToken);

    /// <summary>
    /// Counts a failed guess, turning its place into a failure when <paramref name="held"/> (it was allowed by
    /// <see cref="TryBeginAsync"/>), and starts the user's lockout when the failure reaches its limit. Returns the
    /// failures now counted in the address's and the user's windows, and the end of the user's lockout, if any.
    /// </summary>
    ValueTask<(int AddressFailures, int UserFailures, DateTimeOffset? LockedOutUntil)> FailAsync(bool held, string address, string? user, CancellationToken cancellationToken);

    /// <summary>A guess allowed by <see cref="TryBeginAsync"/> ended without failing: its places are given back.</summary>
    ValueTask EndAsync(string address, string? user, CancellationToken cancellationToken);

    /// <summary>Lifts the lockout of <paramref name="user"/> and forgets its failures; false if it was not locked out.</summary>
    ValueTask<bool> UnlockAsync(string user, CancellationToken cancellationToken);

    /// <summary>Forgets the failures counted against <paramref name="address"/>, whose ban is being lifted.</summary>
    ValueTask ForgetAddressAsync(string address, CancellationToken cancellationToken);
}
