using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;

namespace Pop3.Kestrel.UsersFile.PasswordSchemes;

/// <summary>
/// <c>{CRYPT}</c>, also the scheme of a stored password without a <c>{SCHEME}</c> prefix (Dovecot's
/// <c>default_pass_scheme = CRYPT</c>): a crypt(3) string recognised by its prefix. Only <c>$6$</c>,
/// <c>$5$</c> and bcrypt's <c>$2y$</c>/<c>$2b$</c>/<c>$2a$</c> are supported; DES and MD5 crypt are not.
/// </summary>
internal sealed class CryptScheme : PasswordScheme
{
    private readonly ShaCryptScheme _sha512 = new(HashAlgorithmName.SHA512);

    public override string Name => "CRYPT";

    public override bool TryParse(string data, [NotNullWhen(true)] out StoredSecret? secret, [NotNullWhen(false)] out string? error)
    {
        if (ShaCrypt.HasPrefix(data))
        {
            return ShaCryptScheme.TryParseCrypt(data, out secret, out error);
        }

        if (BlowfishCryptScheme.HasPrefix(data))
        {
            return BlowfishCryptScheme.TryParseCrypt(data, out secret, out error);
        }

        secret = null;
        error = "not a supported crypt(3) hash (expected $6$, $5$ or $2y$)";
        return false;
    }

    /// <summary>Makes a SHA512-CRYPT string, the strongest crypt(3) method every libc knows.</summary>
    public override string Hash(string password, int? rounds) => _sha512.Hash(password, rounds);
}
