namespace Pop3.Kestrel.Authentication;

/// <summary>What an <see cref="IPop3LockoutStore"/> knows of a guess's address: see <see cref="IPop3LockoutStore.GetStandingAsync"/>.</summary>
/// <param name="Familiar">The user logged in from this address recently enough.</param>
/// <param name="BannedUntil">The end of the address's ban in force, or null.</param>
public readonly record struct Pop3AddressStanding(bool Familiar, DateTimeOffset? BannedUntil);
