using System.Security.Cryptography;
using System.Text;

namespace Pop3.Kestrel.UsersFile.PasswordSchemes;

/// <summary>
/// SHA-256-crypt (<c>$5$</c>) and SHA-512-crypt (<c>$6$</c>) as specified by Ulrich Drepper,
/// "Unix crypt using SHA-256 and SHA-512" (the algorithm of glibc's and libxcrypt's crypt(3)).
/// </summary>
internal static class ShaCrypt
{
    public const int DefaultRounds = 5000;
    public const int MinRounds = 1000;
    public const int MaxRounds = 999_999_999;
    public const int MaxSaltLength = 16;

    private const string RoundsPrefix = "rounds=";

    /// <summary>The "./0-9A-Za-z" alphabet used by crypt(3) for salts and digests.</summary>
    public const string Alphabet = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    // Byte order of the final base-64 encoding, three bytes at a time (spec, step 22).
    private static readonly int[] Sha256Order =
    [
        0, 10, 20, 21, 1, 11, 12, 22, 2, 3, 13, 23, 24, 4, 14, 15, 25, 5, 6, 16, 26, 27, 7, 17, 18, 28, 8, 9, 19, 29,
    ];

    private static readonly int[] Sha512Order =
    [
        0, 21, 42, 22, 43, 1, 44, 2, 23, 3, 24, 45, 25, 46, 4, 47, 5, 26, 6, 27, 48, 28, 49, 7, 50, 8, 29, 9, 30, 51,
        31, 52, 10, 53, 11, 32, 12, 33, 54, 34, 55, 13, 56, 14, 35, 15, 36, 57, 37, 58, 16, 59, 17, 38, 18, 39, 60,
        40, 61, 19, 62, 20, 41,
    ];

    /// <summary>A parsed <c>$5$</c> or <c>$6$</c> setting: which hash, how many rounds, which salt.</summary>
    public readonly record struct Setting(HashAlgorithmName Algorithm, int Rounds, bool RoundsSpecified, string Salt);

    /// <summary>True when <paramref name="stored"/> starts with <c>$5$</c> or <c>$6$</c>.</summary>
    public static bool HasPrefix(string stored) => stored.StartsWith("$5$", StringComparison.Ordinal) || stored.StartsWith("$6$", StringComparison.Ordinal);

    /// <summary>
    /// Parses a full crypt string (<c>$6$[rounds=N$]salt$digest</c>). The digest must be present and
    /// have the exact length (43 characters for SHA-256, 86 for SHA-512) in crypt's alphabet.
    /// </summary>
    public static bool TryParse(string stored, out Setting setting, [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out string? error)
    {
        setting = default;
        if (!TryParseSetting(stored, out setting, out var consumed, out error))
        {
            return false;
        }

        // The salt follows a '$' and cannot contain one.
        if (consumed - (stored.LastIndexOf('$', consumed - 1) + 1) > MaxSaltLength)
        {
            error = "the salt is longer than 16 characters";
            return false;
        }

        if (consumed >= stored.Length || stored[consumed] != '$')
        {
            error = "the digest is missing";
            return false;
        }

        var digest = stored.AsSpan(consumed + 1);
        var expected = setting.Algorithm == HashAlgorithmName.SHA256 ? 43 : 86;
        if (digest.Length != expected || digest.ContainsAnyExcept(CryptAlphabetValues))
        {
            error = $"the digest is not {expected} characters of crypt's alphabet";
            return false;
        }

        return true;
    }

    private static readonly System.Buffers.SearchValues<char> CryptAlphabetValues = System.Buffers.SearchValues.Create(Alphabet);

    /// <summary>Parses the <c>$id$[rounds=N$]salt</c> part; <paramref name="consumed"/> ends after the salt.</summary>
    public static bool TryParseSetting(string stored, out Setting setting, out int consumed, [System.Diagnostics.CodeAnalysis.NotNullWhen(false)] out string? error)
    {
        setting = default;
        consumed = 0;
        error = null;
        HashAlgorithmName algorithm;
        if (stored.StartsWith("$5$", StringComparison.Ordinal))
        {
            algorithm = HashAlgorithmName.SHA256;
        }
        else if (stored.StartsWith("$6$", StringComparison.Ordinal))
        {
            algorithm = HashAlgorithmName.SHA512;
        }
        else
        {
            error = "not a $5$ or $6$ crypt string";
            return false;
        }

        var position = 3;
        var rounds = DefaultRounds;
        var roundsSpecified = false;
        if (string.CompareOrdinal(stored, position, RoundsPrefix, 0, RoundsPrefix.Length) == 0)
        {
            var end = stored.IndexOf('$', position);
            if (end < 0)
            {
                error = "the rounds parameter is not terminated by '$'";
                return false;
            }

            var digits = stored.AsSpan(position + RoundsPrefix.Length, end - position - RoundsPrefix.Length);
            if (digits.IsEmpty || digits.ContainsAnyExceptInRange('0', '9')
                || !ulong.TryParse(digits, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var requested))
            {
                error = "the rounds parameter is not a number";
                return false;
            }

            // The spec clamps out-of-range values rather than rejecting them.
            rounds = (int)Math.Clamp(requested, MinRounds, MaxRounds);
            roundsSpecified = true;
            position = end + 1;
        }

        // The salt ends at the next '$' or after 16 characters, whichever comes first.
        var saltEnd = stored.IndexOf('$', position);
        if (saltEnd < 0)
        {
            saltEnd = stored.Length;
        }

        // A longer salt is truncated to 16 characters, as crypt(3) does.
        var salt = stored.Substring(position, Math.Min(saltEnd - position, MaxSaltLength));
        consumed = saltEnd;
        setting = new Setting(algorithm, rounds, roundsSpecified, salt);
        return true;
    }

    /// <summary>Computes the full crypt string for <paramref name="password"/> with <paramref name="setting"/>.</summary>
    public static string Compute(ReadOnlySpan<byte> password, Setting setting)
    {
        var sha512 = setting.Algorithm == HashAlgorithmName.SHA512;
        var hashLength = sha512 ? 64 : 32;
        var salt = Encoding.UTF8.GetBytes(setting.Salt);
        var rounds = setting.Rounds;

        Span<byte> a = stackalloc byte[hashLength];
        Span<byte> b = stackalloc byte[hashLength];
        Span<byte> dp = stackalloc byte[hashLength];
        Span<byte> ds = stackalloc byte[hashLength];
        Span<byte> c = stackalloc byte[hashLength];

        using var hash = IncrementalHash.CreateHash(setting.Algorithm);

        // Steps 4-8: digest B = H(password salt password).
        hash.AppendData(password);
        hash.AppendData(salt);
        hash.AppendData(password);
        hash.GetHashAndReset(b);

        // Steps 1-3, 9-12: digest A.
        hash.AppendData(password);
        hash.AppendData(salt);
        AppendRepeated(hash, b, password.Length);
        for (var length = password.Length; length > 0; length >>= 1)
        {
            if ((length & 1) != 0)
            {
                hash.AppendData(b);
            }
            else
            {
                hash.AppendData(password);
            }
        }

        hash.GetHashAndReset(a);

        // Steps 13-16: P sequence from digest DP = H(password repeated |password| times).
        for (var i = 0; i < password.Length; i++)
        {
            hash.AppendData(password);
        }

        hash.GetHashAndReset(dp);
        var p = new byte[password.Length];
        Repeat(dp, p);

        // Steps 17-20: S sequence from digest DS = H(salt repeated 16 + A[0] times).
        for (var i = 0; i < 16 + a[0]; i++)
        {
            hash.AppendData(salt);
        }

        hash.GetHashAndReset(ds);
        var s = new byte[salt.Length];
        Repeat(ds, s);

        // Step 21: the rounds.
        a.CopyTo(c);
        for (var round = 0; round < rounds; round++)
        {
            if ((round & 1) != 0)
            {
                hash.AppendData(p);
            }
            else
            {
                hash.AppendData(c);
            }

            if (round % 3 != 0)
            {
                hash.AppendData(s);
            }

            if (round % 7 != 0)
            {
                hash.AppendData(p);
            }

            if ((round & 1) != 0)
            {
                hash.AppendData(c);
            }
            else
            {
                hash.AppendData(p);
            }

            hash.GetHashAndReset(c);
        }

        CryptographicOperations.ZeroMemory(p);

        // Step 22: the output string.
        var result = new StringBuilder(sha512 ? 123 : 80);
        result.Append(sha512 ? "$6$" : "$5$");
        if (setting.RoundsSpecified)
        {
            result.Append(RoundsPrefix).Append(rounds.ToString(System.Globalization.CultureInfo.InvariantCulture)).Append('$');
        }

        result.Append(setting.Salt).Append('$');
        var order = sha512 ? Sha512Order : Sha256Order;
        for (var i = 0; i < order.Length; i += 3)
        {
            AppendBase64(result, c[order[i]], c[order[i + 1]], c[order[i + 2]], 4);
        }

        if (sha512)
        {
            AppendBase64(result, 0, 0, c[63], 2);
        }
        else
        {
            AppendBase64(result, 0, c[31], c[30], 3);
        }

        return result.ToString();
    }

    /// <summary>A new random salt of <paramref name="length"/> characters from crypt's alphabet.</summary>
    public static string NewSalt(int length = MaxSaltLength) => RandomNumberGenerator.GetString(Alphabet, length);

    private static void AppendRepeated(IncrementalHash hash, ReadOnlySpan<byte> block, int length)
    {
        for (; length > block.Length; length -= block.Length)
        {
            hash.AppendData(block);
        }

        hash.AppendData(block[..length]);
    }

    private static void Repeat(ReadOnlySpan<byte> block, Span<byte> destination)
    {
        for (var offset = 0; offset < destination.Length; offset += block.Length)
        {
            var count = Math.Min(block.Length, destination.Length - offset);
            block[..count].CopyTo(destination[offset..]);
        }
    }

    private static void AppendBase64(StringBuilder builder, byte b2, byte b1, byte b0, int characters)
    {
        var w = (b2 << 16) | (b1 << 8) | b0;
        for (var i = 0; i < characters; i++)
        {
            builder.Append(Alphabet[w & 0x3f]);
            w >>= 6;
        }
    }
}
