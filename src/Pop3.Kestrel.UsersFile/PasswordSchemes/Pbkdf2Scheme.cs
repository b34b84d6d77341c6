using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Pop3.Kestrel.UsersFile.PasswordSchemes;

/// <summary>
/// <c>{PBKDF2}</c> as Dovecot writes it (<c>src/auth/password-scheme-pbkdf2.c</c>):
/// <c>$1$salt$rounds$hex</c>, a 160-bit PBKDF2-HMAC-SHA1 key in hex, where the salt is used as the
/// characters written (not decoded).
/// </summary>
internal sealed class Pbkdf2Scheme : PasswordScheme
{
    private const int DefaultRounds = 5000;
    private const int SaltLength = 16;
    private const int KeyLength = 20;

    public override string Name => "PBKDF2";

    public override bool TryParse(string data, [NotNullWhen(true)] out StoredSecret? secret, [NotNullWhen(false)] out string? error)
    {
        secret = null;
        var fields = data.Split('$');

        // "", "1", salt, rounds, hex
        if (fields.Length != 5 || fields[0].Length != 0 || fields[1] != "1")
        {
            error = "a PBKDF2 hash is $1$salt$rounds$hex";
            return false;
        }

        if (!int.TryParse(fields[3], NumberStyles.None, CultureInfo.InvariantCulture, out var rounds) || rounds < 1)
        {
            error = "the PBKDF2 rounds are not a positive number";
            return false;
        }

        if (fields[4].Length != KeyLength * 2 || fields[4].AsSpan().ContainsAnyExcept("0123456789abcdefABCDEF"))
        {
            error = "the PBKDF2 hash is not 160 bits in hex";
            return false;
        }

        secret = new Pbkdf2Secret(Encoding.UTF8.GetBytes(fields[2]), rounds, Convert.FromHexString(fields[4]));
        error = null;
        return true;
    }

    public override string Hash(string password, int? rounds)
    {
        var salt = ShaCrypt.NewSalt(SaltLength);
        var iterations = rounds is > 0 ? rounds.Value : DefaultRounds;
        var key = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), Encoding.UTF8.GetBytes(salt), iterations, HashAlgorithmName.SHA1, KeyLength);
        return string.Create(CultureInfo.InvariantCulture, $"$1${salt}${iterations}${Convert.ToHexStringLower(key)}");
    }
}

internal sealed class Pbkdf2Secret(byte[] salt, int rounds, byte[] key) : StoredSecret
{
    public override bool Verify(ReadOnlySpan<byte> password)
    {
        Span<byte> computed = stackalloc byte[20];
        Rfc2898DeriveBytes.Pbkdf2(password, salt, computed, rounds, HashAlgorithmName.SHA1);
        return CryptographicOperations.FixedTimeEquals(computed, key);
    }
}
