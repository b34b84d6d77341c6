using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;

namespace Pop3.Kestrel.UsersFile.PasswordSchemes;

/// <summary><c>{PLAIN}</c>, <c>{CLEAR}</c>, <c>{CLEARTEXT}</c>: the password itself.</summary>
internal sealed class PlainScheme : PasswordScheme
{
    public override string Name => "PLAIN";

    public override IReadOnlyList<string> Aliases => ["CLEAR", "CLEARTEXT"];

    public override bool TryParse(string data, [NotNullWhen(true)] out StoredSecret? secret, [NotNullWhen(false)] out string? error)
    {
        secret = new PlainSecret(data);
        error = null;
        return true;
    }

    public override string Hash(string password, int? rounds) => password;
}

internal sealed class PlainSecret(string plaintext) : StoredSecret
{
    // Compare digests so that neither the content nor the length of the secret shows in the timing.
    private readonly byte[] _digest = SHA256.HashData(Encoding.UTF8.GetBytes(plaintext));

    public string Plaintext { get; } = plaintext;

    public override bool Verify(ReadOnlySpan<byte> password)
    {
        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(password, digest);
        return CryptographicOperations.FixedTimeEquals(digest, _digest);
    }
}
