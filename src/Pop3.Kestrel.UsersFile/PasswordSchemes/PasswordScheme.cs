using System.Diagnostics.CodeAnalysis;

namespace Pop3.Kestrel.UsersFile.PasswordSchemes;

/// <summary>One Dovecot password scheme: how its stored form is parsed, and how a new one is made.</summary>
internal abstract class PasswordScheme
{
    /// <summary>The canonical name, as written between the braces (<c>SHA512-CRYPT</c>).</summary>
    public abstract string Name { get; }

    /// <summary>Other names Dovecot accepts for the same scheme.</summary>
    public virtual IReadOnlyList<string> Aliases => [];

    /// <summary>
    /// Parses the part after <c>{SCHEME}</c>. The error message describes the shape that is wrong and never
    /// contains the secret.
    /// </summary>
    public abstract bool TryParse(string data, [NotNullWhen(true)] out StoredSecret? secret, [NotNullWhen(false)] out string? error);

    /// <summary>
    /// A new stored form (without the <c>{SCHEME}</c> prefix) for <paramref name="password"/>, with a fresh
    /// random salt. <paramref name="rounds"/> is the scheme's cost parameter, as <c>doveadm pw -r</c>.
    /// </summary>
    public abstract string Hash(string password, int? rounds);
}

/// <summary>A parsed stored secret of one scheme, ready to check passwords against.</summary>
internal abstract class StoredSecret
{
    /// <summary>True when <paramref name="password"/> (UTF-8) matches. Digests are compared in constant time.</summary>
    public abstract bool Verify(ReadOnlySpan<byte> password);
}
