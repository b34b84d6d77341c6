using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Pop3.Kestrel.Authentication;

namespace Pop3.Kestrel.UsersFile.PasswordSchemes;

/// <summary>
/// <c>{SCRAM-SHA-256}</c> as Dovecot writes it: <c>iterations,salt,StoredKey,ServerKey</c>, the last three
/// in base64 (RFC 5802, RFC 7677). A plaintext is checked by recomputing StoredKey and ServerKey.
/// </summary>
internal sealed class ScramSha256Scheme : PasswordScheme
{
    private const int DefaultIterations = 4096;
    private const int SaltLength = 16;

    public override string Name => "SCRAM-SHA-256";

    public override bool TryParse(string data, [NotNullWhen(true)] out StoredSecret? secret, [NotNullWhen(false)] out string? error)
    {
        secret = null;
        var fields = data.Split(',');
        if (fields.Length != 4)
        {
            error = "a SCRAM-SHA-256 secret is iterations,salt,StoredKey,ServerKey";
            return false;
        }

        if (!int.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out var iterations) || iterations < 1)
        {
            error = "the SCRAM iteration count is not a positive number";
            return false;
        }

        if (!TryDecode(fields[1], out var salt) || salt.Length == 0
            || !TryDecode(fields[2], out var storedKey) || storedKey.Length != SHA256.HashSizeInBytes
            || !TryDecode(fields[3], out var serverKey) || serverKey.Length != SHA256.HashSizeInBytes)
        {
            error = "the SCRAM salt or keys are not base64 of the right length";
            return false;
        }

        secret = new ScramSha256Secret(new Pop3ScramCredentials(iterations, salt, storedKey, serverKey));
        error = null;
        return true;
    }

    public override string Hash(string password, int? rounds)
    {
        var credentials = Compute(Encoding.UTF8.GetBytes(password), RandomNumberGenerator.GetBytes(SaltLength), rounds is > 0 ? rounds.Value : DefaultIterations);
        return string.Create(
            CultureInfo.InvariantCulture,
            $"{credentials.Iterations},{Convert.ToBase64String(credentials.Salt.Span)},{Convert.ToBase64String(credentials.StoredKey.Span)},{Convert.ToBase64String(credentials.ServerKey.Span)}");
    }

    /// <summary>SaltedPassword, then StoredKey = H(HMAC(SaltedPassword, "Client Key")) and ServerKey = HMAC(SaltedPassword, "Server Key").</summary>
    public static Pop3ScramCredentials Compute(ReadOnlySpan<byte> password, byte[] salt, int iterations)
    {
        Span<byte> salted = stackalloc byte[SHA256.HashSizeInBytes];
        Span<byte> clientKey = stackalloc byte[SHA256.HashSizeInBytes];
        Rfc2898DeriveBytes.Pbkdf2(password, salt, salted, iterations, HashAlgorithmName.SHA256);
        HMACSHA256.HashData(salted, "Client Key"u8, clientKey);
        var storedKey = SHA256.HashData(clientKey);
        var serverKey = HMACSHA256.HashData(salted, "Server Key"u8);
        CryptographicOperations.ZeroMemory(salted);
        CryptographicOperations.ZeroMemory(clientKey);
        return new Pop3ScramCredentials(iterations, salt, storedKey, serverKey);
    }

    private static bool TryDecode(string text, [NotNullWhen(true)] out byte[]? bytes)
    {
        var buffer = new byte[(text.Length + 3) / 4 * 3];
        if (Convert.TryFromBase64String(text, buffer, out var written))
        {
            bytes = buffer[..written];
            return true;
        }

        bytes = null;
        return false;
    }
}

internal sealed class ScramSha256Secret(Pop3ScramCredentials credentials) : StoredSecret
{
    public Pop3ScramCredentials Credentials { get; } = credentials;

    public override bool Verify(ReadOnlySpan<byte> password)
    {
        var computed = ScramSha256Scheme.Compute(password, Credentials.Salt.ToArray(), Credentials.Iterations);

        // Both keys, without short-circuit, so the time does not depend on which one differs.
        var storedKeyMatches = CryptographicOperations.FixedTimeEquals(computed.StoredKey.Span, Credentials.StoredKey.Span);
        var serverKeyMatches = CryptographicOperations.FixedTimeEquals(computed.ServerKey.Span, Credentials.ServerKey.Span);
        return storedKeyMatches & serverKeyMatches;
    }
}
