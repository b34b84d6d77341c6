using System.Collections.Frozen;
using System.Security.Cryptography;
using Pop3.Kestrel.UsersFile.PasswordSchemes;

namespace Pop3.Kestrel.UsersFile;

/// <summary>
/// Dovecot's password schemes (<c>{SCHEME}data</c>, as in a passwd-file or <c>doveadm pw</c>): checking a
/// password against a stored form, and making new stored forms that Dovecot accepts.
/// </summary>
/// <remarks>
/// Supported: <c>PLAIN</c> (aliases <c>CLEAR</c>, <c>CLEARTEXT</c>), <c>CRYPT</c> (crypt(3) <c>$6$</c>, <c>$5$</c>,
/// <c>$2y$</c>; also what a hash without prefix is), <c>SHA512-CRYPT</c>, <c>SHA256-CRYPT</c> (with
/// <c>rounds=</c>), <c>BLF-CRYPT</c>, <c>ARGON2I</c>, <c>ARGON2ID</c>, <c>PBKDF2</c>, <c>SCRAM-SHA-256</c>,
/// <c>CRAM-MD5</c>. Scheme names are case-insensitive, as in Dovecot. Dovecot's <c>.b64</c>/<c>.hex</c>
/// encoding suffixes are not supported.
/// </remarks>
public static class Pop3PasswordSchemes
{
    private static readonly PasswordScheme[] All =
    [
        new PlainScheme(),
        new CryptScheme(),
        new ShaCryptScheme(HashAlgorithmName.SHA512),
        new ShaCryptScheme(HashAlgorithmName.SHA256),
        new BlowfishCryptScheme(),
        new Argon2Scheme(id: false),
        new Argon2Scheme(id: true),
        new Pbkdf2Scheme(),
        new ScramSha256Scheme(),
        new CramMd5Scheme(),
    ];

    private static readonly FrozenDictionary<string, PasswordScheme> ByName = All
        .SelectMany(scheme => scheme.Aliases.Prepend(scheme.Name).Select(name => KeyValuePair.Create(name, scheme)))
        .ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);

    /// <summary>Every scheme name accepted between the braces, aliases included.</summary>
    public static IReadOnlyList<string> Names { get; } = [.. All.SelectMany(scheme => scheme.Aliases.Prepend(scheme.Name))];

    /// <summary>True when <paramref name="scheme"/> names a supported scheme (case-insensitive).</summary>
    public static bool IsSupported(string scheme) => ByName.ContainsKey(scheme);

    /// <summary>
    /// True when <paramref name="password"/> matches <paramref name="stored"/>; false when it does not, and
    /// also when <paramref name="stored"/> is of an unknown scheme or malformed. To check many passwords
    /// against one stored form, parse it once with <see cref="Pop3StoredPassword.TryParse"/>.
    /// </summary>
    public static bool Verify(string stored, string password)
    {
        ArgumentNullException.ThrowIfNull(password);
        return Pop3StoredPassword.TryParse(stored, out var parsed, out _) && parsed.Verify(password);
    }

    /// <summary>
    /// A new stored form <c>{SCHEME}data</c> of <paramref name="password"/> with a random salt, like
    /// <c>doveadm pw -s SCHEME</c>. <paramref name="rounds"/> is the cost, like <c>doveadm pw -r</c>: rounds for
    /// SHA-crypt (default 5000, written as <c>rounds=</c> only when not the default), log2 cost for BLF-CRYPT
    /// (default 10), passes for Argon2 (defaults <c>m=65536,t=3</c> for ARGON2ID and <c>m=32768,t=4</c> for
    /// ARGON2I, as Dovecot), iterations for PBKDF2 (5000) and SCRAM-SHA-256 (4096); ignored otherwise.
    /// <c>CRYPT</c> makes a <c>$6$</c> string.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="scheme"/> is not supported, or <paramref name="password"/> is empty.</exception>
    public static string Hash(string scheme, string password, int? rounds = null)
    {
        ArgumentNullException.ThrowIfNull(scheme);
        ArgumentException.ThrowIfNullOrEmpty(password);
        var found = Find(scheme) ?? throw new ArgumentException($"Unknown password scheme '{scheme}'. Supported: {string.Join(", ", Names)}.", nameof(scheme));
        return $"{{{found.Name}}}{found.Hash(password, rounds)}";
    }

    internal static PasswordScheme? Find(string scheme) => ByName.GetValueOrDefault(scheme);

    /// <summary>Splits <c>{SCHEME}data</c>; without braces the scheme is CRYPT. False for a '{' with no '}'.</summary>
    internal static bool TrySplit(string stored, out string scheme, out string data)
    {
        if (stored.StartsWith('{'))
        {
            var end = stored.IndexOf('}', StringComparison.Ordinal);
            if (end < 0)
            {
                scheme = data = string.Empty;
                return false;
            }

            scheme = stored[1..end];
            data = stored[(end + 1)..];
            return true;
        }

        scheme = "CRYPT";
        data = stored;
        return true;
    }
}
