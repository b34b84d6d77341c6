namespace Pop3.Kestrel.Authentication;

/// <summary>
/// What a SCRAM-SHA-256 server (RFC 5802, RFC 7677) keeps for a user instead of the password: it sends
/// <see cref="Salt"/> and <see cref="Iterations"/> to the client, checks the client proof with
/// <see cref="StoredKey"/> and signs its answer with <see cref="ServerKey"/>.
/// </summary>
/// <param name="Iterations">The PBKDF2 iteration count (<c>i=</c>).</param>
/// <param name="Salt">The salt (<c>s=</c>, sent base64-encoded).</param>
/// <param name="StoredKey">H(HMAC(SaltedPassword, "Client Key")).</param>
/// <param name="ServerKey">HMAC(SaltedPassword, "Server Key").</param>
public sealed record Pop3ScramCredentials(int Iterations, ReadOnlyMemory<byte> Salt, ReadOnlyMemory<byte> StoredKey, ReadOnlyMemory<byte> ServerKey);
