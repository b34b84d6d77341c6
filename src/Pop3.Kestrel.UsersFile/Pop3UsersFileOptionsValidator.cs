using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Pop3.Kestrel.UsersFile;

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
