using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Security.Cryptography;
using Konscious.Security.Cryptography;

namespace Pop3.Kestrel.UsersFile.PasswordSchemes;

/// <summary>
/// <c>{ARGON2I}</c> and <c>{ARGON2ID}</c>: a PHC string <c>$argon2id$v=19$m=KiB,t=passes,p=lanes$salt$hash</c>
/// (salt and hash in base64 without padding), computed by Konscious.Security.Cryptography.Argon2.
/// Only version 19 (0x13), the one Dovecot's libsodium writes, is supported. An empty password never
/// matches (the library refuses to hash one).
/// </summary>
internal sealed class Argon2Scheme(bool id) : PasswordScheme
{
    // Dovecot's defaults (libsodium's "interactive" limits).
    private const int DefaultMemoryKib = 65536;
    private const int DefaultArgon2IMemoryKib = 32768;
    private const int DefaultArgon2IdPasses = 3;
    private const int DefaultArgon2IPasses = 4;
    private const int SaltLength = 16;
    private const int HashLength = 32;

    /// <summary>1 GiB: a cap so that a hostile users file cannot make one check allocate without bound.</summary>
    internal const int MaxMemoryKib = 1024 * 1024;

    public override string Name => id ? "ARGON2ID" : "ARGON2I";

    public override bool TryParse(string data, [NotNullWhen(true)] out StoredSecret? secret, [NotNullWhen(false)] out string? error)
    {
        secret = null;
        var fields = data.Split('$');

        // "", "argon2id", "v=19", "m=..,t=..,p=..", salt, hash
        if (fields.Length != 6 || fields[0].Length != 0)
        {
            error = "an Argon2 hash is $argon2id$v=19$m=..,t=..,p=..$salt$hash";
            return false;
        }

        bool isId;
        if (fields[1] == "argon2id")
        {
            isId = true;
        }
        else if (fields[1] == "argon2i")
        {
            isId = false;
        }
        else
        {
            error = "the Argon2 variant is not argon2i or argon2id";
            return false;
        }

        if (fields[2] != "v=19")
        {
            error = "only Argon2 version 19 is supported";
            return false;
        }

        if (!TryParseParameters(fields[3], out var memory, out var passes, out var lanes))
        {
            error = $"the Argon2 parameters are not m=1..{MaxMemoryKib},t=1..,p=1..255 with m >= 8p";
            return false;
        }

        if (!TryDecode(fields[4], out var salt) || salt.Length < 8 || !TryDecode(fields[5], out var hash) || hash.Length < 4)
        {
            error = "the Argon2 salt or hash is not base64 of a valid length";
            return false;
        }

        secret = new Argon2Secret(isId, memory, passes, lanes, salt, hash);
        error = null;
        return true;
    }

    public override string Hash(string password, int? rounds)
    {
        var memory = id ? DefaultMemoryKib : DefaultArgon2IMemoryKib;
        var passes = rounds is > 0 ? rounds.Value : id ? DefaultArgon2IdPasses : DefaultArgon2IPasses;
        var salt = RandomNumberGenerator.GetBytes(SaltLength);
        var hash = Argon2Secret.Compute(id, memory, passes, 1, salt, System.Text.Encoding.UTF8.GetBytes(password), HashLength);
        return string.Create(
            CultureInfo.InvariantCulture,
            $"${(id ? "argon2id" : "argon2i")}$v=19$m={memory},t={passes},p=1${Encode(salt)}${Encode(hash)}");
    }

    private static bool TryParseParameters(string text, out int memory, out int passes, out int lanes)
    {
        memory = passes = lanes = 0;
        var parts = text.Split(',');
        if (parts.Length != 3
            || !TryParseParameter(parts[0], "m=", out memory)
            || !TryParseParameter(parts[1], "t=", out passes)
            || !TryParseParameter(parts[2], "p=", out lanes))
        {
            return false;
        }

        return memory <= MaxMemoryKib && lanes <= 255 && memory >= 8 * lanes;
    }

    private static bool TryParseParameter(string text, string name, out int value)
    {
        value = 0;
        return text.StartsWith(name, StringComparison.Ordinal)
            && int.TryParse(text.AsSpan(name.Length), NumberStyles.None, CultureInfo.InvariantCulture, out value)
            && value > 0;
    }

    private static string Encode(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=');

    private static bool TryDecode(string text, [NotNullWhen(true)] out byte[]? bytes)
    {
        bytes = null;
        if (text.Length == 0 || text.Contains('=', StringComparison.Ordinal))
        {
            return false;
        }

        var padded = (text.Length % 4) switch
        {
            0 => text,
            2 => text + "==",
            3 => text + "=",
            _ => null,
        };
        if (padded is null)
        {
            return false;
        }

        var buffer = new byte[padded.Length / 4 * 3];
        if (!Convert.TryFromBase64String(padded, buffer, out var written))
        {
            return false;
        }

        bytes = buffer[..written];
        return true;
    }
}

internal sealed class Argon2Secret(bool id, int memory, int passes, int lanes, byte[] salt, byte[] hash) : StoredSecret
{
    public override bool Verify(ReadOnlySpan<byte> password)
    {
        // Konscious refuses an empty password; do the same work on a stand-in and refuse it.
        var empty = password.IsEmpty;
        var computed = Compute(id, memory, passes, lanes, salt, empty ? [0] : password.ToArray(), hash.Length);
        return CryptographicOperations.FixedTimeEquals(computed, hash) && !empty;
    }

    public static byte[] Compute(bool id, int memory, int passes, int lanes, byte[] salt, byte[] password, int length)
    {
        try
        {
            using Argon2 argon2 = id ? new Argon2id(password) : new Argon2i(password);
            argon2.Salt = salt;
            argon2.MemorySize = memory;
            argon2.Iterations = passes;
            argon2.DegreeOfParallelism = lanes;
            return argon2.GetBytes(length);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(password);
        }
    }
}
