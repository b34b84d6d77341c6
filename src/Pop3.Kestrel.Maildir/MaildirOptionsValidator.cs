using Microsoft.Extensions.Options;

namespace Pop3.Kestrel.Maildir;

/// <summary>Checks <see cref="MaildirOptions"/> at start-up so a bad template fails the host, not the first login.</summary>
internal sealed class MaildirOptionsValidator : IValidateOptions<MaildirOptions>
{
    public ValidateOptionsResult Validate(string? name, MaildirOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.Path))
        {
            return ValidateOptionsResult.Fail($"{MaildirOptions.SectionName}:Path must not be empty.");
        }

        if (!options.Path.Contains(MaildirOptions.UserPlaceholder, StringComparison.Ordinal))
        {
            return ValidateOptionsResult.Fail(
                $"{MaildirOptions.SectionName}:Path must contain {MaildirOptions.UserPlaceholder} (it is '{options.Path}').");
        }

        if (options.Path.Contains('\0', StringComparison.Ordinal))
        {
            return ValidateOptionsResult.Fail($"{MaildirOptions.SectionName}:Path must not contain NUL.");
        }

        if (options.ListingCacheMessages < 0)
        {
            return ValidateOptionsResult.Fail(
                $"{MaildirOptions.SectionName}:{nameof(MaildirOptions.ListingCacheMessages)} must be 0 (no cache) or more (it is {options.ListingCacheMessages}).");
        }

        if (options.LockFile is { } lockFile && (lockFile.Contains('\0', StringComparison.Ordinal) || lockFile.EndsWith('/')))
        {
            return ValidateOptionsResult.Fail($"{MaildirOptions.SectionName}:LockFile must be a file name (it is '{lockFile}').");
        }

        if (!Enum.IsDefined(options.Locking))
        {
            return ValidateOptionsResult.Fail($"{MaildirOptions.SectionName}:Locking must be Auto, SharedFile, PerMaildir or Both.");
        }

        if (options.Locking is MaildirLocking.SharedFile or MaildirLocking.Both && !MaildirLocks.SharedFileSupported)
        {
            return ValidateOptionsResult.Fail(
                $"{MaildirOptions.SectionName}:Locking={options.Locking} needs Linux on x64 or arm64; use PerMaildir (or Auto) here.");
        }

        return ValidateOptionsResult.Success;
    }
}
