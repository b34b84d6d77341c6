using System.Net;
using System.Security.Cryptography;
using System.Text;
using Pop3.Kestrel.Authentication;
using Pop3.Kestrel.Hosting;
using Pop3.Kestrel.Tests.Sessions;
using Pop3.Kestrel.UsersFile;

namespace Pop3.Kestrel.Tests.Authentication;

/// <summary>
/// A users file with one user per way of storing a password, so every mechanism has someone to log in:
/// alice {PLAIN} secret; tim {PLAIN} tanstaaftanstaaf (RFC 2195); user {SCRAM-SHA-256} pencil with RFC 7677's salt;
/// carol {CRAM-MD5} wonderland; dave {SHA512-CRYPT} hashed; jürgen {PLAIN} grüße.
/// </summary>
internal sealed class AuthUsers : IDisposable
{
    public const string Rfc7677Salt = "W22ZaJ0SNY7soEsUEjb6gQ==";

    private readonly string _directory = Directory.CreateTempSubdirectory("pop3-auth-").FullName;

    public AuthUsers(bool onlyHashes = false)
    {
        Path = System.IO.Path.Combine(_directory, "users");
        var lines = onlyHashes
            ? new[] { "dave:" + Pop3PasswordSchemes.Hash("SHA512-CRYPT", "hashed", 5000) }
            : new[]
            {
                "alice:{PLAIN}secret",
                "tim:{PLAIN}tanstaaftanstaaf",
                "user:" + ScramEntry("pencil", Convert.FromBase64String(Rfc7677Salt), 4096),
                "carol:" + Pop3PasswordSchemes.Hash("CRAM-MD5", "wonderland"),
                "dave:" + Pop3PasswordSchemes.Hash("SHA512-CRYPT", "hashed", 5000),
                "jürgen:{PLAIN}grüße",
            };
        File.WriteAllLines(Path, lines, new UTF8Encoding(false));
    }

    public string Path { get; }

    /// <summary>A harness whose authenticator is this users file.</summary>
    public SessionHarness Harness(
        Dictionary<string, string?>? settings = null,
        Pop3ConnectionInfo? connection = null,
        Action<IServiceProvider>? beforeStart = null,
        Action<Pop3ServerBuilder>? configure = null) =>
        new(settings: settings, connection: connection, beforeStart: beforeStart, configure: builder =>
        {
            builder.AddUsersFile(options => options.UsersFile = Path);
            configure?.Invoke(builder);
        });

    /// <summary>A client at a documentation address (RFC 5737), not loopback, without TLS.</summary>
    public static Pop3ConnectionInfo Remote(string address = "203.0.113.5", bool secure = false) =>
        new("remote", new IPEndPoint(IPAddress.Parse(address), 40000), new IPEndPoint(IPAddress.Parse("192.0.2.1"), 110)) { IsSecure = secure };

    public static string B64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));

    public static string Unb64(string text) => Encoding.UTF8.GetString(Convert.FromBase64String(text));

    /// <summary>Dovecot's {SCRAM-SHA-256}iterations,salt,StoredKey,ServerKey for a known salt.</summary>
    public static string ScramEntry(string password, byte[] salt, int iterations)
    {
        var salted = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, HashAlgorithmName.SHA256, 32);
        var clientKey = HMACSHA256.HashData(salted, "Client Key"u8);
        var storedKey = SHA256.HashData(clientKey);
        var serverKey = HMACSHA256.HashData(salted, "Server Key"u8);
        return $"{{SCRAM-SHA-256}}{iterations},{Convert.ToBase64String(salt)},{Convert.ToBase64String(storedKey)},{Convert.ToBase64String(serverKey)}";
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
