namespace Pop3.Kestrel.Hosting;

/// <summary>
/// A configuration key the application reads, and the type its value binds to: an options class (every key it binds
/// is then known), a collection, or a single value. <see cref="Pop3SettingsCheck"/> refuses keys under the same root
/// that no declaration knows.
/// </summary>
/// <param name="Path">The key, e.g. <c>Pop3:Maildir</c> or <c>Pop3:Store</c>.</param>
/// <param name="Type">What the key binds to.</param>
/// <param name="Validate">For a value read by hand: returns why <paramref name="Path"/>'s value is wrong, or null.</param>
internal sealed record Pop3SettingDeclaration(string Path, Type Type, Func<string, string?>? Validate = null);
