using System.Security.Cryptography;
using Pop3.Kestrel.Authentication.Sasl;

namespace Pop3.Kestrel.Authentication;

/// <summary>
/// The HMAC-MD5 context of a password as Dovecot's <c>{CRAM-MD5}</c> scheme stores it (<c>src/lib/hmac-cram-md5.c</c>):
/// the MD5 chaining values after the outer and then the inner pad block. What
/// <see cref="IPop3SecretProvider.TryGetCramMd5Context"/> returns, for providers that keep passwords in the clear.
/// </summary>
public static class Pop3CramMd5Context
{
    /// <summary>The length of a context in bytes (64 hex characters in a users file).</summary>
    public const int Length = 32;

    /// <summary>The 32-byte HMAC-MD5 context of <paramref name="password"/>, as Dovecot stores it.</summary>
    public static byte[] Compute(ReadOnlySpan<byte> password)
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
        var context = new byte[Length];
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
}
