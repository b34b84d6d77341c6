using Microsoft.Extensions.Options;

namespace Pop3.Kestrel.Upstream;

/// <summary>Fails start-up, naming the key, when the upstream is not configured.</summary>
internal sealed class UpstreamOptionsValidator : IValidateOptions<UpstreamOptions>
{
    public ValidateOptionsResult Validate(string? name, UpstreamOptions options)
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(options.Host))
        {
            errors.Add($"{UpstreamOptions.SectionName}:Host is required for the upstream store.");
        }

        if (options.Port is < 1 or > 65535)
        {
            errors.Add($"{UpstreamOptions.SectionName}:Port is {options.Port}; it must be 1-65535.");
        }

        if (options.Protocol != UpstreamProtocol.Pop3)
        {
            errors.Add($"{UpstreamOptions.SectionName}:Protocol is {options.Protocol}; this version serves a POP3 upstream only (Pop3).");
        }

        if (options.Timeout <= TimeSpan.Zero)
        {
            errors.Add($"{UpstreamOptions.SectionName}:Timeout must be positive.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
