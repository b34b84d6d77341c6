namespace Pop3.Kestrel.Authentication;

/// <summary>
/// Where address bans and users' familiar addresses are kept, so they survive a restart and, in a shared store, are
/// seen by every node. The limits themselves are counted elsewhere (in each node's memory by default; in the
/// database, for every node, with the PostgreSQL store); the store holds only their outcome. Addresses are keys as the limiter writes them (<c>192.0.2.7</c>, <c>2001:db8:1:2::/64</c>); user names
/// are the names clients log in with, in lower case. By default bans and familiar addresses are kept in memory, or
/// in <see cref="Pop3AuthenticationOptions.StateFile"/>; the PostgreSQL store registers a table-backed one.
/// Methods may be called from any thread at once.
/// </summary>
public interface IPop3LockoutStore
{
    /// <summary>
    /// Whether <paramref name="user"/> logged in from <paramref name="address"/> at or after <paramref name="familiarSince"/>
    /// (false when <paramref name="user"/> is null), and the ban of <paramref name="address"/> in force at
    /// <paramref name="now"/>, if any. Asked before each password guess that the server has not already refused.
    /// </summary>
    ValueTask<Pop3AddressStanding> GetStandingAsync(string? user, string address, DateTimeOffset familiarSince, DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>Records a successful login of <paramref name="user"/> from <paramref name="address"/> at <paramref name="time"/>.</summary>
    ValueTask RecordLoginAsync(string user, string address, DateTimeOffset time, CancellationToken cancellationToken);

    /// <summary>Records a ban (replacing any earlier ban of the same address).</summary>
    ValueTask BanAsync(Pop3AddressBan ban, CancellationToken cancellationToken);

    /// <summary>Lifts the ban of <paramref name="address"/>; false if there was none.</summary>
    ValueTask<bool> LiftBanAsync(string address, CancellationToken cancellationToken);

    /// <summary>The bans in force at <paramref name="now"/>.</summary>
    ValueTask<IReadOnlyList<Pop3AddressBan>> ListBansAsync(DateTimeOffset now, CancellationToken cancellationToken);

    /// <summary>
    /// The addresses at which at least one user logged in at or after <paramref name="since"/>, at most
    /// <paramref name="limit"/> of them, most recent first: at start-up they tell which banned addresses may still be
    /// refused as soon as they connect (those where no user is at home).
    /// </summary>
    ValueTask<IReadOnlyList<string>> ListFamiliarAddressesAsync(DateTimeOffset since, int limit, CancellationToken cancellationToken);
}
