using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace Pop3.Kestrel.UsersFile.PasswordSchemes;

/// <summary><c>{BLF-CRYPT}</c>: bcrypt (<c>$2y$</c>, <c>$2b$</c>, <c>$2a$</c>), computed by BCrypt.Net-Next.</summary>
internal sealed partial class BlowfishCryptScheme : PasswordScheme
{
    /// <summary>The cost used when none is given. Dovecot 2.3 uses 5, which is weak today.</summary>
    public const int DefaultCost = 10;

    public override string Name => "BLF-CRYPT";

    /// <summary>True when <paramref name="data"/> starts like a bcrypt string (<c>$2a$</c>, <c>$2b$</c>, <c>$2y$</c>).</summary>
    public static bool HasPrefix(string data) =>
        data.Length >= 4 && data.StartsWith("$2", StringComparison.Ordinal) && data[3] == '$' && data[2] is 'a' or 'b' or 'y';

    public override bool TryParse(string data, [NotNullWhen(true)] out StoredSecret? secret, [NotNullWhen(false)] out string? error) => TryParseCrypt(data, out secret, out error);

    /// <summary>Parses a <c>$2?$NN$</c> string (also for <c>{CRYPT}</c>).</summary>
    public static bool TryParseCrypt(string data, [NotNullWhen(true)] out StoredSecret? secret, [NotNullWhen(false)] out string? error)
    {
        secret = null;
        var match = BcryptShape().Match(data);
        if (!match.Success)
        {
            error = "a BLF-CRYPT hash is $2y$NN$ followed by 53 characters of bcrypt's alphabet";
            return false;
        }

        var cost = int.Parse(match.Groups["cost"].ValueSpan, System.Globalization.CultureInfo.InvariantCulture);
        if (cost is < 4 or > 31)
        {
            error = "the bcrypt cost is not between 04 and 31";
            return false;
        }

        secret = new BlowfishCryptSecret(data);
        error = null;
        return true;
    }

    public override string Hash(string password, int? rounds)
    {
        var salt = BCrypt.Net.BCrypt.GenerateSalt(Math.Clamp(rounds ?? DefaultCost, 4, 31), 'y');
        return BCrypt.Net.BCrypt.HashPassword(password, salt);
    }

    [GeneratedRegex(@"^\$2[aby]\$(?<cost>[0-9]{2})\$[./A-Za-z0-9]{53}$", RegexOptions.CultureInvariant)]
    private static partial Regex BcryptShape();
}

internal sealed class BlowfishCryptSecret(string stored) : StoredSecret
{
    private readonly byte[] _stored = Encoding.ASCII.GetBytes(stored);

    public override bool Verify(ReadOnlySpan<byte> password)
    {
        // BCrypt.Net takes a string; the stored hash doubles as the salt and keeps its $2?$ revision.
        var computed = BCrypt.Net.BCrypt.HashPassword(Encoding.UTF8.GetString(password), stored);
        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(computed), _stored);
    }
}
