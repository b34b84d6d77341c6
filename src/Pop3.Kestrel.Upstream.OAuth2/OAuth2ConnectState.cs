using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.DataProtection;

namespace Pop3.Kestrel.Upstream.OAuth2;

/// <summary>
/// The OAuth 2.0 <c>state</c> of one connect attempt: who signed in, the PKCE verifier and a nonce, encrypted and
/// time-limited with Data Protection, so the callback needs no server-side session. The nonce is also set in a cookie,
/// and the callback accepts the state only from the browser that started the attempt.
/// </summary>
internal sealed record OAuth2ConnectState(string User, string CodeVerifier, string Nonce)
{
    private const string Purpose = "Pop3.Kestrel.Upstream.OAuth2.ConnectState.v1";

    public static OAuth2ConnectState New(string user) => new(user, Random(32), Random(16));

    /// <summary>The S256 code challenge of <see cref="CodeVerifier"/> (RFC 7636).</summary>
    public string CodeChallenge => System.Buffers.Text.Base64Url.EncodeToString(SHA256.HashData(System.Text.Encoding.ASCII.GetBytes(CodeVerifier)));

    public string Protect(IDataProtectionProvider protection, TimeSpan lifetime) =>
        protection.CreateProtector(Purpose).ToTimeLimitedDataProtector()
            .Protect(JsonSerializer.Serialize(this, OAuth2StateJson.Default.OAuth2ConnectState), lifetime);

    /// <summary>The state, or null if it was not made here, was altered or has expired.</summary>
    public static OAuth2ConnectState? Unprotect(IDataProtectionProvider protection, string? state)
    {
        if (string.IsNullOrEmpty(state))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize(protection.CreateProtector(Purpose).ToTimeLimitedDataProtector().Unprotect(state), OAuth2StateJson.Default.OAuth2ConnectState);
        }
        catch (Exception e) when (e is CryptographicException or JsonException or FormatException)
        {
            return null;
        }
    }

    private static string Random(int bytes) => System.Buffers.Text.Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(bytes));
}

[JsonSerializable(typeof(OAuth2ConnectState))]
internal sealed partial class OAuth2StateJson : JsonSerializerContext;
