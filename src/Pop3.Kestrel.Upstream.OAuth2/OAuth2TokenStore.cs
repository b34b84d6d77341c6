using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Logging;

namespace Pop3.Kestrel.Upstream.OAuth2;

/// <summary>
/// Token files, one per user, encrypted with Data Protection: the file name is a hash of the user name (no name on
/// disk, no path tricks), the content the protected JSON of <see cref="OAuth2StoredToken"/>. A write goes to a temporary
/// file that is then renamed over the old one, so a crash leaves the old tokens or the new ones, never half of each
/// (a rotated refresh token is never lost to a torn write). Callers serialize writes per user.
/// </summary>
internal sealed partial class OAuth2TokenStore
{
    private const string Purpose = "Pop3.Kestrel.Upstream.OAuth2.TokenStore.v1";
    private const string Extension = ".token";

    private readonly IDataProtector _protector;
    private readonly ILogger _logger;

    public OAuth2TokenStore(IDataProtectionProvider protection, string folder, ILogger logger)
    {
        _protector = protection.CreateProtector(Purpose);
        _logger = logger;
        Folder = folder;
        Directory.CreateDirectory(folder);
    }

    /// <summary>The folder of the token files.</summary>
    public string Folder { get; }

    /// <summary>The file that holds <paramref name="user"/>'s tokens.</summary>
    public string PathOf(string user) =>
        Path.Combine(Folder, Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(user))) + Extension);

    /// <summary>The user's tokens; null if none are stored or the file cannot be decrypted with this key ring (logged).</summary>
    public OAuth2StoredToken? Read(string user)
    {
        var path = PathOf(user);
        var token = ReadFile(path);
        return token is not null && token.User == user ? token : null;
    }

    /// <summary>Every user's tokens that this key ring can decrypt.</summary>
    public IReadOnlyList<OAuth2StoredToken> ReadAll() =>
        [.. Directory.EnumerateFiles(Folder, "*" + Extension).Select(ReadFile).OfType<OAuth2StoredToken>().OrderBy(t => t.User, StringComparer.Ordinal)];

    /// <summary>Replaces the user's tokens atomically.</summary>
    public void Write(OAuth2StoredToken token)
    {
        var path = PathOf(token.User);
        var temporary = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
        var bytes = _protector.Protect(JsonSerializer.SerializeToUtf8Bytes(token, OAuth2Json.Default.OAuth2StoredToken));
        try
        {
            using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 4096, FileOptions.WriteThrough))
            {
                file.Write(bytes);
                file.Flush(flushToDisk: true);
            }

            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(temporary, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }

            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    /// <summary>Forgets the user's tokens.</summary>
    public bool Delete(string user)
    {
        var path = PathOf(user);
        if (!File.Exists(path))
        {
            return false;
        }

        File.Delete(path);
        return true;
    }

    private OAuth2StoredToken? ReadFile(string path)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (FileNotFoundException)
        {
            return null;
        }
        catch (DirectoryNotFoundException)
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize(_protector.Unprotect(bytes), OAuth2Json.Default.OAuth2StoredToken);
        }
        catch (Exception e) when (e is CryptographicException or JsonException)
        {
            LogUnreadable(_logger, path, e);
            return null;
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "The token file {Path} cannot be decrypted with this key ring (Pop3:Upstream:OAuth2:KeyRingPath) or is damaged; that mailbox must be connected again")]
    private static partial void LogUnreadable(ILogger logger, string path, Exception exception);
}
