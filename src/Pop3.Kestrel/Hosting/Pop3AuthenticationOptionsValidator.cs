using Microsoft.Extensions.Options;
using Pop3.Kestrel.Authentication;
using Pop3.Kestrel.Authentication.Sasl;

namespace Pop3.Kestrel.Hosting;

/// <summary>Refuses to start with settings that cannot work, naming the key.</summary>
internal sealed class Pop3AuthenticationOptionsValidator(IEnumerable<IPop3SaslMechanism> mechanisms) : IValidateOptions<Pop3AuthenticationOptions>
{
    public ValidateOptionsResult Validate(string? name, Pop3AuthenticationOptions options)
    {
        var errors = new List<string>();
        if (options.MaxAttempts < 1)
        {
            errors.Add("Pop3:Authentication:MaxAttempts must be at least 1.");
        }

        if (options.FailureDelay < TimeSpan.Zero || options.MaxFailureDelay < TimeSpan.Zero || options.FailureDelay > TimeSpan.FromMinutes(5) || options.MaxFailureDelay > TimeSpan.FromMinutes(5))
        {
            errors.Add("Pop3:Authentication:FailureDelay and MaxFailureDelay must be between 0 and 5 minutes.");
        }

        if (options.BanAfterFailures < 0 || options.BanDuration < TimeSpan.Zero)
        {
            errors.Add("Pop3:Authentication:BanAfterFailures and BanDuration must not be negative.");
        }

        var known = Pop3SaslMechanisms.RegisteredNames(mechanisms).ToHashSet(StringComparer.OrdinalIgnoreCase);
        foreach (var mechanism in Pop3SaslNames.Split(options.Mechanisms).Where(m => !known.Contains(m)))
        {
            errors.Add($"Pop3:Authentication:Mechanisms: unknown mechanism '{mechanism}' (known: {string.Join(' ', known)}).");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
