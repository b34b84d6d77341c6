using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Pop3.Kestrel.Hosting;

namespace Pop3.Kestrel.Upstream.OAuth2;

/// <summary>
/// The gateway's own Data Protection key ring for tokens and connect states, apart from whatever the host uses for
/// cookies: keys in <see cref="OAuth2Options.KeyRingPath"/> (in the data directory), a fixed application name so every
/// node and every release with the same key ring reads the same files.
/// </summary>
internal sealed class OAuth2Protection
{
    public const string ApplicationName = "Pop3.Kestrel.Upstream.OAuth2";

    public OAuth2Protection(IOptions<OAuth2Options> options, IOptions<Pop3ServerOptions> server, IHostEnvironment? environment = null)
    {
        KeyRing = Resolve(options.Value.KeyRingPath, server.Value.DataPath, environment);
        TokenFolder = Resolve(options.Value.TokenStorePath, server.Value.DataPath, environment);
        Directory.CreateDirectory(KeyRing);
        if (!OperatingSystem.IsWindows())
        {
            // The keys decrypt every token: readable by the gateway's account only.
            File.SetUnixFileMode(KeyRing, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        Provider = Create(KeyRing);
    }

    public string KeyRing { get; }

    public string TokenFolder { get; }

    public IDataProtectionProvider Provider { get; }

    /// <summary>A provider over the key ring in <paramref name="keyRing"/> with the gateway's application name.</summary>
    public static IDataProtectionProvider Create(string keyRing) =>
        DataProtectionProvider.Create(new DirectoryInfo(keyRing), builder => builder.SetApplicationName(ApplicationName));

    private static string Resolve(string path, string dataPath, IHostEnvironment? environment) =>
        Path.GetFullPath(Path.Combine(dataPath, path), environment?.ContentRootPath ?? Directory.GetCurrentDirectory());
}
