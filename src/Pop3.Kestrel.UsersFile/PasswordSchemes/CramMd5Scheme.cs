using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;
using Pop3.Kestrel.Authentication;

namespace Pop3.Kestrel.UsersFile.PasswordSchemes;

/// <summary>
/// <c>{CRAM-MD5}</c> as Dovecot writes it (<c>src/lib/hmac-cram-md5.c</c>): the HMAC-MD5 key schedule,
/// i.e. the MD5 chaining values (A, B, C, D, little-endian) after the outer pad block and then after the
/// inner pad block: 32 bytes, 64 hex characters. A CRAM-MD5 server can finish HMAC-MD5 from it without
/// the password; a plaintext is checked by recomputing it.
/// </summary>
internal sealed class CramMd5Scheme : PasswordScheme
{
    public const int ContextLength = IPop3SecretProvider.CramMd5ContextLength;

    public override string Name => "CRAM-MD5";

    public override bool TryParse(string data, [NotNullWhen(true)] out StoredSecret? secret, [NotNullWhen(false)] out string? error)
    {
        if (data.Length != ContextLength * 2 || data.AsSpan().ContainsAnyExcept("0123456789abcdefABCDEF"))
        {
            secret = null;
            error = "a CRAM-MD5 secret is 64 hex characters";
            return false;
        }

        secret = new CramMd5Secret(Convert.FromHexString(data));
        error = null;
        return true;
    }

    public override string Hash(string password, int? rounds) =>
        Convert.ToHexStringLower(IPop3SecretProvider.ComputeCramMd5Context(Encoding.UTF8.GetBytes(password)));
}

internal sealed class CramMd5Secret(byte[] context) : StoredSecret
{
    public ReadOnlyMemory<byte> Context => context;

    public override bool Verify(ReadOnlySpan<byte> password) =>
        CryptographicOperations.FixedTimeEquals(IPop3SecretProvider.ComputeCramMd5Context(password), context);
}
