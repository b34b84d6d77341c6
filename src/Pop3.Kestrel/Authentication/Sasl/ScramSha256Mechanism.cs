using System.Security.Cryptography;
using System.Text;
using Pop3.Kestrel.Sessions;

namespace Pop3.Kestrel.Authentication.Sasl;

/// <summary>
/// SCRAM-SHA-256 (RFC 7677, RFC 5802) without channel binding. Needs the user's stored keys (Dovecot's
/// <c>{SCRAM-SHA-256}</c>) from the <see cref="IPop3SecretProvider"/>, so the server never holds the password.
/// A user whose password is stored in the clear gets keys derived from it with a salt derived from the name.
/// An unknown user gets a salt derived from the name and a secret of this process and the default iteration count,
/// so the server-first message does not tell whether the user exists; the proof then fails like a wrong password.
/// User names are taken as sent (no SASLprep).
/// </summary>
internal sealed class ScramSha256Mechanism(Pop3SecretSource secrets) : IPop3SaslMechanism
{
    private const int StandInIterations = 4096;

    private readonly byte[] _saltKey = RandomNumberGenerator.GetBytes(32);
    private readonly Pop3ScramCredentials _standInKeys = new(StandInIterations, default, RandomNumberGenerator.GetBytes(32), RandomNumberGenerator.GetBytes(32));

    private Pop3SecretSource Secrets => secrets;

    public string Name => "SCRAM-SHA-256";

    public bool SendsPlaintext => false;

    public bool IsAvailable => secrets.Has(Pop3SecretKinds.ScramSha256 | Pop3SecretKinds.Plaintext);

    /// <summary>Makes the server's part of the nonce; tests replace it to replay RFC 7677's example.</summary>
    internal Func<string>? NonceFactory { get; set; }

    public IPop3SaslExchange Start(Pop3SessionContext context) => new Exchange(this, context);

    /// <summary>The SCRAM-SHA-256 keys of <paramref name="password"/> (RFC 5802 §3).</summary>
    internal static Pop3ScramCredentials Derive(string password, byte[] salt, int iterations)
    {
        var salted = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, HashAlgorithmName.SHA256, 32);
        var storedKey = SHA256.HashData(HMACSHA256.HashData(salted, "Client Key"u8));
        var serverKey = HMACSHA256.HashData(salted, "Server Key"u8);
        CryptographicOperations.ZeroMemory(salted);
        return new Pop3ScramCredentials(iterations, salt, storedKey, serverKey);
    }

    private string NewNonce() => NonceFactory is { } factory ? factory() : Convert.ToBase64String(RandomNumberGenerator.GetBytes(18));

    private sealed class Exchange(ScramSha256Mechanism mechanism, Pop3SessionContext context) : IPop3SaslExchange
    {
        private static readonly UTF8Encoding StrictUtf8 = new(false, true);

        private string? _gs2Header;
        private string? _clientFirstBare;
        private string? _serverFirst;
        private string? _nonce;
        private string? _user;
        private Pop3ScramCredentials? _keys;

        public async ValueTask<Pop3SaslStep> StepAsync(ReadOnlyMemory<byte>? response, CancellationToken cancellationToken)
        {
            if (response is not { } message)
            {
                return _serverFirst is null ? Pop3SaslStep.Challenge(ReadOnlyMemory<byte>.Empty) : Pop3SaslStep.Malformed;
            }

            if (!TryDecode(message.Span, out var text))
            {
                return Pop3SaslStep.Malformed;
            }

            if (_serverFirst is null)
            {
                return ClientFirst(text);
            }

            // The client's proof is the guess: the limiter is asked before it is checked.
            return await context.MayCheckCredentialsAsync(_user, cancellationToken) ? ClientFinal(text) : Pop3SaslStep.Failure(_user);
        }

        private Pop3SaslStep ClientFirst(string message)
        {
            // gs2-header = gs2-cbind-flag "," [ authzid ] ","; only "n" (no binding) and "y" (client could bind, server cannot).
            if (!(message.StartsWith("n,", StringComparison.Ordinal) || message.StartsWith("y,", StringComparison.Ordinal)))
            {
                return message.StartsWith("p=", StringComparison.Ordinal) ? Pop3SaslStep.Failure() : Pop3SaslStep.Malformed;
            }

            var headerEnd = message.IndexOf(',', 2);
            if (headerEnd < 0)
            {
                return Pop3SaslStep.Malformed;
            }

            var authzidField = message[2..headerEnd];
            string? authzid = null;
            if (authzidField.Length > 0 && (!authzidField.StartsWith("a=", StringComparison.Ordinal) || !Pop3SaslText.TryDecodeSaslName(authzidField[2..], out authzid)))
            {
                return Pop3SaslStep.Malformed;
            }

            var bare = message[(headerEnd + 1)..];
            var fields = bare.Split(',');
            if (fields.Length < 2 || !fields[0].StartsWith("n=", StringComparison.Ordinal) || !fields[1].StartsWith("r=", StringComparison.Ordinal)
                || !Pop3SaslText.TryDecodeSaslName(fields[0][2..], out var user) || !IsNonce(fields[1].AsSpan(2)))
            {
                return Pop3SaslStep.Malformed;
            }

            _gs2Header = message[..(headerEnd + 1)];
            _clientFirstBare = bare;
            _user = user;
            if (authzid is not null && !string.Equals(authzid, user, StringComparison.Ordinal))
            {
                return Pop3SaslStep.Failure(user);
            }

            var provider = mechanism.Secrets.Provider;
            var derivedSalt = HMACSHA256.HashData(mechanism._saltKey, Encoding.UTF8.GetBytes(user))[..16];
            if (provider is not null && provider.TryGetScramKeys(user, out var keys))
            {
                _keys = keys;
            }
            else if (provider is not null && provider.TryGetPlaintextSecret(user, out var password))
            {
                // A {PLAIN} user can use SCRAM too (clients such as MailKit pick it whenever it is offered).
                _keys = Derive(password, derivedSalt, StandInIterations);
            }

            var salt = _keys?.Salt.ToArray() ?? derivedSalt;
            var iterations = _keys?.Iterations ?? StandInIterations;
            _nonce = fields[1][2..] + mechanism.NewNonce();
            _serverFirst = $"r={_nonce},s={Convert.ToBase64String(salt)},i={iterations}";
            return Pop3SaslStep.Challenge(Encoding.UTF8.GetBytes(_serverFirst));
        }

        private Pop3SaslStep ClientFinal(string message)
        {
            var proofAt = message.LastIndexOf(",p=", StringComparison.Ordinal);
            if (proofAt < 0)
            {
                return Pop3SaslStep.Malformed;
            }

            var withoutProof = message[..proofAt];
            var fields = withoutProof.Split(',');
            if (fields.Length < 2 || !fields[0].StartsWith("c=", StringComparison.Ordinal) || !fields[1].StartsWith("r=", StringComparison.Ordinal))
            {
                return Pop3SaslStep.Malformed;
            }

            Span<byte> proof = stackalloc byte[32];
            if (!Convert.TryFromBase64String(message[(proofAt + 3)..], proof, out var proofLength) || proofLength != 32)
            {
                return Pop3SaslStep.Malformed;
            }

            // The channel-binding data must repeat the gs2 header, and the nonce must be the combined one.
            var bindingOk = string.Equals(fields[0][2..], Convert.ToBase64String(Encoding.UTF8.GetBytes(_gs2Header!)), StringComparison.Ordinal);
            var nonceOk = string.Equals(fields[1][2..], _nonce, StringComparison.Ordinal);

            var keys = _keys ?? mechanism._standInKeys;
            var authMessage = Encoding.UTF8.GetBytes(_clientFirstBare + "," + _serverFirst + "," + withoutProof);
            Span<byte> clientKey = stackalloc byte[32];
            HMACSHA256.HashData(keys.StoredKey.Span, authMessage, clientKey);
            for (var i = 0; i < 32; i++)
            {
                clientKey[i] ^= proof[i];
            }

            Span<byte> storedKey = stackalloc byte[32];
            SHA256.HashData(clientKey, storedKey);
            var proofOk = CryptographicOperations.FixedTimeEquals(storedKey, keys.StoredKey.Span);
            CryptographicOperations.ZeroMemory(clientKey);
            if (!(proofOk && bindingOk && nonceOk && _keys is not null))
            {
                return Pop3SaslStep.Failure(_user);
            }

            var serverSignature = HMACSHA256.HashData(keys.ServerKey.Span, authMessage);
            var provider = mechanism.Secrets.Provider!;
            return Pop3SaslStep.Success(_user!, provider.GetMailbox(_user!), Encoding.ASCII.GetBytes("v=" + Convert.ToBase64String(serverSignature)));
        }

        private static bool TryDecode(ReadOnlySpan<byte> bytes, out string text)
        {
            text = "";
            try
            {
                text = StrictUtf8.GetString(bytes);
                return !text.Contains('\0');
            }
            catch (DecoderFallbackException)
            {
                return false;
            }
        }

        private static bool IsNonce(ReadOnlySpan<char> nonce)
        {
            if (nonce.IsEmpty)
            {
                return false;
            }

            foreach (var c in nonce)
            {
                if (c < 0x21 || c > 0x7E || c == ',')
                {
                    return false;
                }
            }

            return true;
        }
    }
}
