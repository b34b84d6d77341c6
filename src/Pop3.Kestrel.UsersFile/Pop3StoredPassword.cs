using System.Diagnostics.CodeAnalysis;
using System.Text;
using Pop3.Kestrel.Authentication;
using Pop3.Kestrel.UsersFile.PasswordSchemes;

namespace Pop3.Kestrel.UsersFile;

/// <summary>
/// A stored password in Dovecot's notation, <c>{SCHEME}data</c>, parsed and checked once so that it can be
/// verified many times. Without a <c>{SCHEME}</c> prefix the data is a crypt(3) string, as with Dovecot's
/// <c>default_pass_scheme = CRYPT</c>. See <see cref="Pop3PasswordSchemes.Names"/> for the schemes.
/// </summary>
/// <remarks><see cref="ToString"/> shows the scheme only, never the secret.</remarks>
internal sealed class Pop3StoredPassword
{
    private readonly StoredSecret _secret;

    private Pop3StoredPassword(string scheme, StoredSecret secret)
    {
        Scheme = scheme;
        _secret = secret;
    }

    /// <summary>The canonical scheme name, e.g. <c>SHA512-CRYPT</c>; <c>PLAIN</c> for <c>{CLEAR}</c>; <c>CRYPT</c> when there was no prefix.</summary>
    public string Scheme { get; }

    /// <summary>
    /// Parses <paramref name="stored"/>. On failure <paramref name="error"/> says what is wrong (unknown scheme,
    /// malformed hash) without quoting the secret.
    /// </summary>
    public static bool TryParse(string stored, [NotNullWhen(true)] out Pop3StoredPassword? password, [NotNullWhen(false)] out string? error)
    {
        ArgumentNullException.ThrowIfNull(stored);
        password = null;
        if (!Pop3PasswordSchemes.TrySplit(stored, out var schemeName, out var data))
        {
            error = "the scheme name is not closed by '}'";
            return false;
        }

        var scheme = Pop3PasswordSchemes.Find(schemeName);
        if (scheme is null)
        {
            error = LooksLikeSchemeName(schemeName) ? $"unknown password scheme '{schemeName}'" : "unknown password scheme";
            return false;
        }

        if (!scheme.TryParse(data, out var secret, out error))
        {
            return false;
        }

        password = new Pop3StoredPassword(scheme.Name, secret);
        return true;
    }

    /// <summary>Parses <paramref name="stored"/>, or throws a <see cref="FormatException"/> that does not quote the secret.</summary>
    public static Pop3StoredPassword Parse(string stored) =>
        TryParse(stored, out var password, out var error) ? password : throw new FormatException($"Not a valid stored password: {error}.");

    /// <summary>True when <paramref name="password"/> matches. Digests are compared in constant time.</summary>
    public bool Verify(string password)
    {
        ArgumentNullException.ThrowIfNull(password);
        var length = Encoding.UTF8.GetByteCount(password);
        var bytes = new byte[length];
        try
        {
            Encoding.UTF8.GetBytes(password, bytes);
            return _secret.Verify(bytes);
        }
        finally
        {
            System.Security.Cryptography.CryptographicOperations.ZeroMemory(bytes);
        }
    }

    /// <summary>The password itself, for <c>{PLAIN}</c> (and its aliases) only: what APOP needs.</summary>
    public bool TryGetPlaintext([NotNullWhen(true)] out string? plaintext)
    {
        plaintext = (_secret as PlainSecret)?.Plaintext;
        return plaintext is not null;
    }

    /// <summary>The SCRAM-SHA-256 keys, for <c>{SCRAM-SHA-256}</c> entries only.</summary>
    public bool TryGetScramSha256Credentials([NotNullWhen(true)] out Pop3ScramCredentials? credentials)
    {
        credentials = (_secret as ScramSha256Secret)?.Credentials;
        return credentials is not null;
    }

    /// <summary>
    /// The 32-byte HMAC-MD5 context that CRAM-MD5 (RFC 2195) needs: stored for <c>{CRAM-MD5}</c> entries,
    /// computed from the password for <c>{PLAIN}</c> entries.
    /// </summary>
    public bool TryGetCramMd5Context(out ReadOnlyMemory<byte> context)
    {
        switch (_secret)
        {
            case CramMd5Secret cram:
                context = cram.Context;
                return true;
            case PlainSecret plain:
                context = IPop3SecretProvider.ComputeCramMd5Context(Encoding.UTF8.GetBytes(plain.Plaintext));
                return true;
            default:
                context = default;
                return false;
        }
    }

    /// <summary>The scheme in braces, never the secret.</summary>
    public override string ToString() => $"{{{Scheme}}}";

    // Only echo what looks like a scheme name, so that a password typed between braces is never quoted.
    private static bool LooksLikeSchemeName(string name) =>
        name.Length is > 0 and <= 24 && !name.AsSpan().ContainsAnyExcept("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._");
}
