using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

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

/// <summary>Refuses to start without a readable users file, naming <c>Pop3:Authentication:UsersFile</c>.</summary>
internal sealed class Pop3UsersFileOptionsValidator(IHostEnvironment? environment = null) : IValidateOptions<Pop3UsersFileOptions>
{
    public ValidateOptionsResult Validate(string? name, Pop3UsersFileOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.UsersFile))
        {
            return ValidateOptionsResult.Fail($"{Pop3UsersFileOptions.UsersFileKey} is empty: set it to the path of a users file in Dovecot passwd-file format.");
        }

        var path = options.ResolvePath(environment);
        if (!File.Exists(path))
        {
            return ValidateOptionsResult.Fail(
                $"{Pop3UsersFileOptions.UsersFileKey}: the users file '{path}' does not exist. Create it (lines 'user:{{SCHEME}}secret', e.g. from 'doveadm pw -s SHA512-CRYPT') or point {Pop3UsersFileOptions.UsersFileKey} at it.");
        }

        return ValidateOptionsResult.Success;
    }
}
