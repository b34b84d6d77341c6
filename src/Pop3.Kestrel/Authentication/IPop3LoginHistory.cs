namespace Pop3.Kestrel.Authentication;

/// <summary>
/// When each user last logged in, for enforcing LOGIN-DELAY (RFC 2449 §6.5). In memory by default; register
/// another implementation (a shared store) when several servers serve the same users. Users are named by the
/// mailbox their login opens (the authenticator's canonical name).
/// </summary>
public interface IPop3LoginHistory
{
    /// <summary>The time of <paramref name="user"/>'s last successful login, or null if none is known.</summary>
    ValueTask<DateTimeOffset?> GetLastLoginAsync(string user, CancellationToken cancellationToken);

    /// <summary>Records a successful login of <paramref name="user"/> at <paramref name="time"/>.</summary>
    ValueTask RecordLoginAsync(string user, DateTimeOffset time, CancellationToken cancellationToken);
}
