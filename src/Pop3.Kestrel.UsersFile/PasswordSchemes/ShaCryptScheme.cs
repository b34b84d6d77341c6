using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;

namespace Pop3.Kestrel.UsersFile.PasswordSchemes;

/// <summary><c>{SHA256-CRYPT}</c> (<c>$5$</c>) and <c>{SHA512-CRYPT}</c> (<c>$6$</c>), with an optional <c>rounds=</c>.</summary>
internal sealed class ShaCryptScheme(HashAlgorithmName algorithm) : PasswordScheme
{
    private readonly string _prefix = algorithm == HashAlgorithmName.SHA512 ? "$6$" : "$5$";

    public override string Name { get; } = algorithm == HashAlgorithmName.SHA512 ? "SHA512-CRYPT" : "SHA256-CRYPT";

    public override bool TryParse(string data, [NotNullWhen(true)] out StoredSecret? secret, [NotNullWhen(false)] out string? error)
    {
        secret = null;
        if (!data.StartsWith(_prefix, StringComparison.Ordinal))
        {
            error = $"a {Name} hash starts with {_prefix}";
            return false;
        }

        return TryParseCrypt(data, out secret, out error);
    }

    /// <summary>Parses a <c>$5$</c> or <c>$6$</c> string (also for <c>{CRYPT}</c>).</summary>
    public static bool TryParseCrypt(string data, [NotNullWhen(true)] out StoredSecret? secret, [NotNullWhen(false)] out string? error)
    {
        if (!ShaCrypt.TryParse(data, out var setting, out error))
        {
            secret = null;
            return false;
        }

        secret = new ShaCryptSecret(data, setting);
        return true;
    }

    public override string Hash(string password, int? rounds)
    {
        var setting = new ShaCrypt.Setting(
            algorithm,
            Math.Clamp(rounds ?? ShaCrypt.DefaultRounds, ShaCrypt.MinRounds, ShaCrypt.MaxRounds),
            RoundsSpecified: rounds is not null && rounds != ShaCrypt.DefaultRounds,
            ShaCrypt.NewSalt());
        return ShaCrypt.Compute(Encoding.UTF8.GetBytes(password), setting);
    }
}

internal sealed class ShaCryptSecret(string stored, ShaCrypt.Setting setting) : StoredSecret
{
    private readonly byte[] _stored = Encoding.ASCII.GetBytes(stored);

    public override bool Verify(ReadOnlySpan<byte> password)
    {
        var computed = Encoding.ASCII.GetBytes(ShaCrypt.Compute(password, setting));
        return CryptographicOperations.FixedTimeEquals(computed, _stored);
    }
}
