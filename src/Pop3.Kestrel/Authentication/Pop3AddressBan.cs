namespace Pop3.Kestrel.Authentication;

/// <summary>A ban of a client address (a key such as <c>192.0.2.7</c> or <c>2001:db8:1:2::/64</c>) after failed logins.</summary>
/// <param name="Address">The banned address key.</param>
/// <param name="Since">When the ban began.</param>
/// <param name="Until">When it ends.</param>
/// <param name="Failures">The failed guesses that led to it.</param>
public sealed record Pop3AddressBan(string Address, DateTimeOffset Since, DateTimeOffset Until, int Failures);
