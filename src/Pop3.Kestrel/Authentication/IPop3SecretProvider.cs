using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using Pop3.Kestrel.Authentication.Sasl;

namespace Pop3.Kestrel.Authentication;

/// <summary>
/// Gives the server a user's secret, for the login methods that prove knowledge of a password without sending
/// it: APOP and CRAM-MD5 need the plaintext (or, for CRAM-MD5, its HMAC-MD5 context), SCRAM-SHA-256 needs the
/// stored keys. An <see cref="IPop3Authenticator"/> that also implements this interface enables those methods;
/// one registered on its own in DI takes precedence. Every method answers false for unknown users, users that
/// may not log in, and secrets not stored in the needed form, all alike.
/// </summary>
public interface IPop3SecretProvider
{
    /// <summary>The length of a CRAM-MD5 context in bytes (64 hex characters in a users file).</summary>
    public const int CramMd5ContextLength = 32;

    /// <summary>
    /// The 32-byte HMAC-MD5 context of <paramref name="password"/> as Dovecot's <c>{CRAM-MD5}</c> scheme stores it
    /// (<c>src/lib/hmac-cram-md5.c</c>: the MD5 chaining values after the outer and then the inner pad block): what
    /// <see cref="TryGetCramMd5Context"/> returns, for a provider that keeps passwords in the clear.
    /// </summary>
    public static byte[] ComputeCramMd5Context(ReadOnlySpan<byte> password)
    {
        Span<byte> key = stackalloc byte[64];
        key.Clear();
        if (password.Length > 64)
        {
            // HMAC (RFC 2104): a key longer than the block is replaced by its digest.
            MD5.HashData(password, key);
        }
        else
        {
            password.CopyTo(key);
        }

        Span<byte> block = stackalloc byte[64];
        var context = new byte[CramMd5ContextLength];
        for (var i = 0; i < 64; i++)
        {
            block[i] = (byte)(key[i] ^ 0x5c);
        }

        Md5Block.Compress(block, context.AsSpan(0, 16));
        for (var i = 0; i < 64; i++)
        {
            block[i] = (byte)(key[i] ^ 0x36);
        }

        Md5Block.Compress(block, context.AsSpan(16, 16));
        CryptographicOperations.ZeroMemory(key);
        CryptographicOperations.ZeroMemory(block);
        return context;
    }

    /// <summary>What this provider can supply for at least some users; mechanisms needing anything else are not offered.</summary>
    Pop3SecretKinds AvailableSecrets { get; }

    /// <summary>The password of <paramref name="user"/> in the clear (APOP, CRAM-MD5).</summary>
    bool TryGetPlaintextSecret(string user, [NotNullWhen(true)] out string? secret);

    /// <summary>The 32-byte HMAC-MD5 context of <paramref name="user"/>'s password (CRAM-MD5), as Dovecot's <c>{CRAM-MD5}</c> scheme stores it (see <see cref="ComputeCramMd5Context"/>).</summary>
    bool TryGetCramMd5Context(string user, out ReadOnlyMemory<byte> context);

    /// <summary>The SCRAM-SHA-256 keys of <paramref name="user"/>.</summary>
    bool TryGetScramKeys(string user, [NotNullWhen(true)] out Pop3ScramCredentials? keys);

    /// <summary>The mailbox to open once <paramref name="user"/> has proven knowledge of the secret. Default: the user name.</summary>
    string GetMailbox(string user) => user;

    /// <summary>
    /// The scheme <paramref name="user"/>'s password is stored in (e.g. <c>SHA512-CRYPT</c>), named in the log line
    /// that says why a mechanism could not check a login; null when unknown. Default: null.
    /// </summary>
    string? GetStoredScheme(string user) => null;
}
