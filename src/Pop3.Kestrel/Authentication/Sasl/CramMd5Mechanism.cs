using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Pop3.Kestrel.Sessions;

namespace Pop3.Kestrel.Authentication.Sasl;

/// <summary>
/// CRAM-MD5 (RFC 2195): the server sends <c>&lt;random.time@host&gt;</c>, the client answers
/// <c>user SP hex(HMAC-MD5(password, challenge))</c>. Needs the user's HMAC-MD5 context (stored as
/// <c>{CRAM-MD5}</c>, or computed from <c>{PLAIN}</c>) from the <see cref="IPop3SecretProvider"/>. For an unknown
/// user the digest is computed against a random context, so the work and the reply are the same.
/// </summary>
/// <remarks>
/// The mechanism is offered as soon as one user can use it, so with a users file that mixes <c>{PLAIN}</c> and crypt
/// entries a client that picks CRAM-MD5 (curl does) fails for the crypt users. The client is told only that the login
/// failed, as for a wrong password; the log says why, so the operator can store a <c>{CRAM-MD5}</c> entry or leave the
/// mechanism out of <c>Pop3:Authentication:Mechanisms</c>.
/// </remarks>
internal sealed partial class CramMd5Mechanism(Pop3SecretSource secrets, TimeProvider time, ILogger<CramMd5Mechanism> logger) : IPop3SaslMechanism
{
    private readonly byte[] _standIn = RandomNumberGenerator.GetBytes(IPop3SecretProvider.CramMd5ContextLength);

    private Pop3SecretSource Secrets => secrets;

    public string Name => "CRAM-MD5";

    public bool SendsPlaintext => false;

    public bool IsAvailable => secrets.Has(Pop3SecretKinds.Plaintext | Pop3SecretKinds.CramMd5);

    /// <summary>Makes the challenge; tests replace it to replay RFC 2195's example.</summary>
    internal Func<string>? ChallengeFactory { get; set; }

    public IPop3SaslExchange Start(Pop3SessionContext context) => new Exchange(this, context);

    /// <summary>HMAC-MD5 of <paramref name="message"/> finished from a 32-byte context (outer state, then inner state).</summary>
    internal static byte[] HmacMd5(ReadOnlySpan<byte> context, ReadOnlySpan<byte> message)
    {
        Span<byte> inner = stackalloc byte[16];
        Md5Block.HashFrom(context[16..32], 64, message, inner);
        var digest = new byte[16];
        Md5Block.HashFrom(context[..16], 64, inner, digest);
        return digest;
    }

    private ILogger Logger => logger;

    // The user exists and the fault is the configuration's, so the name is logged at Warning: the operator must act.
    [LoggerMessage(140, LogLevel.Warning,
        "CRAM-MD5 login failed: no plaintext-equivalent secret stored for user {User} (the users file has {Scheme}); " +
        "CRAM-MD5 needs a {{PLAIN}} or {{CRAM-MD5}} entry (doveadm pw -s CRAM-MD5), or leave CRAM-MD5 out of Pop3:Authentication:Mechanisms")]
    private static partial void LogNoCramMd5Secret(ILogger logger, string user, string scheme);

    private string NewChallenge() => ChallengeFactory is { } factory ? factory() : Pop3SaslText.NewTimestamp(time);

    private sealed class Exchange(CramMd5Mechanism mechanism, Pop3SessionContext context) : IPop3SaslExchange
    {
        private byte[]? _challenge;

        public async ValueTask<Pop3SaslStep> StepAsync(ReadOnlyMemory<byte>? response, CancellationToken cancellationToken)
        {
            if (_challenge is null)
            {
                // CRAM-MD5 has no initial response: the server speaks first.
                if (response is not null)
                {
                    return Pop3SaslStep.Malformed;
                }

                _challenge = Encoding.ASCII.GetBytes(mechanism.NewChallenge());
                return Pop3SaslStep.Challenge(_challenge);
            }

            if (!TryParse(response!.Value.Span, out var user, out var given))
            {
                return Pop3SaslStep.Malformed;
            }

            return await context.MayCheckCredentialsAsync(user, cancellationToken) ? Check(user, given) : Pop3SaslStep.Failure(user);
        }

        private static bool TryParse(ReadOnlySpan<byte> message, out string user, out byte[] given)
        {
            given = [];
            user = "";
            var space = message.LastIndexOf((byte)' ');
            if (space <= 0 || message.Length - space - 1 != 32 || !Pop3SaslText.TryDecodeField(message[..space], out user))
            {
                return false;
            }

            given = new byte[32];
            for (var i = 0; i < 32; i++)
            {
                var c = message[space + 1 + i];
                if (!char.IsAsciiHexDigit((char)c))
                {
                    return false;
                }

                given[i] = (byte)(c | 0x20); // hex digits to lower case
            }

            return true;
        }

        private Pop3SaslStep Check(string user, byte[] given)
        {
            var provider = mechanism.Secrets.Provider;
            ReadOnlyMemory<byte> hmac = mechanism._standIn;
            var known = false;
            if (provider is not null && provider.TryGetCramMd5Context(user, out var stored) && stored.Length == IPop3SecretProvider.CramMd5ContextLength)
            {
                hmac = stored;
                known = true;
            }
            else if (provider?.GetStoredScheme(user) is { } scheme)
            {
                LogNoCramMd5Secret(mechanism.Logger, user, scheme);
            }

            var expected = Encoding.ASCII.GetBytes(Convert.ToHexStringLower(HmacMd5(hmac.Span, _challenge)));
            var matches = CryptographicOperations.FixedTimeEquals(expected, given);
            return matches && known ? Pop3SaslStep.Success(user, provider!.GetMailbox(user)) : Pop3SaslStep.Failure(user);
        }
    }
}
