namespace Pop3.Kestrel.Sessions;

/// <summary>One user's LOGIN-DELAY in seconds and EXPIRE (<c>NEVER</c> or days).</summary>
/// <param name="LoginDelaySeconds">The least time between two logins of the user, or null for <c>Pop3:LoginDelay</c>.</param>
/// <param name="Expire">How long messages are kept (<c>NEVER</c> or days), or null for <c>Pop3:Expire</c>.</param>
public readonly record struct Pop3UserSettings(int? LoginDelaySeconds, string? Expire);
