using System.Diagnostics.CodeAnalysis;

namespace Pop3.Kestrel.Authentication;

/// <summary>
/// Gives the server a user's secret, for the login methods that prove knowledge of a password without sending
/// it: APOP and CRAM-MD5 need the plaintext (or, for CRAM-MD5, its HMAC-MD5 context), SCRAM-SHA-256 needs the
/// stored keys. An <see cref="IPop3Authenticator"/> that also implements this interface enables those methods;
/// one registered on its own in DI takes precedence. Every method answers false for unknown users, users that
/// may not log in, and secrets not stored in the needed form, all alike.
/// </summary>
public interface IPop3SecretProvider
{
    /// <summary>What this provider can supply for at least some users; mechanisms needing anything else are not offered.</summary>
    Pop3SecretKinds AvailableSecrets { get; }

    /// <summary>The password of <paramref name="user"/> in the clear (APOP, CRAM-MD5).</summary>
    bool TryGetPlaintextSecret(string user, [NotNullWhen(true)] out string? secret);

    /// <summary>The 32-byte HMAC-MD5 context of <paramref name="user"/>'s password (CRAM-MD5), as Dovecot's <c>{CRAM-MD5}</c> scheme stores it.</summary>
    bool TryGetCramMd5Context(string user, out ReadOnlyMemory<byte> context);

    /// <summary>The SCRAM-SHA-256 keys of <paramref name="user"/>.</summary>
    bool TryGetScramKeys(string user, [NotNullWhen(true)] out Pop3ScramCredentials? keys);

    /// <summary>The mailbox to open once <paramref name="user"/> has proven knowledge of the secret. Default: the user name.</summary>
    string GetMailbox(string user) => user;

    /// <summary>
    /// The scheme <paramref name="user"/>'s password is stored in (e.g. <c>SHA512-CRYPT</c>), named in the log line
    /// that says why a mechanism could not check a login; null when unknown. Default: null.
    /// </summary>
    string? GetStoredScheme(string user) => null;
}
