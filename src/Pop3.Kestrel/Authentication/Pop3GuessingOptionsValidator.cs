using Microsoft.Extensions.Options;

namespace Pop3.Kestrel.Authentication;

/// <summary>Refuses to start with guess limits that cannot work, naming the key.</summary>
internal sealed class Pop3GuessingOptionsValidator : IValidateOptions<Pop3AuthenticationOptions>
{
    public ValidateOptionsResult Validate(string? name, Pop3AuthenticationOptions options)
    {
        var errors = new List<string>();
        if (options.LockoutAfterFailures < 0 || options.MaxFailuresPerUserAddress < 0 || options.LockoutDuration < TimeSpan.Zero)
        {
            errors.Add("Pop3:Authentication:LockoutAfterFailures, MaxFailuresPerUserAddress and LockoutDuration must not be negative.");
        }

        if (options.FamiliarAddressDays < 0)
        {
            errors.Add("Pop3:Authentication:FamiliarAddressDays must not be negative (0 turns familiar addresses off).");
        }

        if (options.FamiliarAddressesPerUser < 1 || options.TrackedEntries < 1)
        {
            errors.Add("Pop3:Authentication:FamiliarAddressesPerUser and TrackedEntries must be at least 1.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
