using Microsoft.Extensions.Hosting;

namespace Pop3.Kestrel.UsersFile;

/// <summary>Where <see cref="UsersFileAuthenticator"/> reads its users: configuration section <c>Pop3:Authentication</c>.</summary>
public sealed class Pop3UsersFileOptions
{
    /// <summary>The configuration section bound by <c>AddUsersFile()</c>.</summary>
    public const string SectionName = "Pop3:Authentication";

    /// <summary>The full configuration key of <see cref="UsersFile"/>, as named in start-up errors.</summary>
    public const string UsersFileKey = SectionName + ":" + nameof(UsersFile);

    /// <summary>
    /// The path of the users file (Dovecot passwd-file format). A relative path is resolved from the host's
    /// content root (or the current directory without a host). Default <c>data/users</c>. The file must exist
    /// when the server starts.
    /// </summary>
    public string UsersFile { get; set; } = "data/users";

    /// <summary>The absolute path of <see cref="UsersFile"/>.</summary>
    internal string ResolvePath(IHostEnvironment? environment) =>
        Path.GetFullPath(UsersFile, environment?.ContentRootPath ?? Directory.GetCurrentDirectory());
}
