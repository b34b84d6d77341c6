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

        if (options.Protocol == UpstreamProtocol.Imap && string.IsNullOrWhiteSpace(options.Imap.Folder))
        {
            errors.Add($"{UpstreamOptions.SectionName}:Imap:Folder is empty; name the folder to serve (INBOX by default).");
        }

        if (options.Protocol == UpstreamProtocol.Imap && options.Imap.TrashFolder is { Length: > 0 } trash
            && string.Equals(trash.Trim(), options.Imap.Folder.Trim(), StringComparison.OrdinalIgnoreCase))
        {
            errors.Add($"{UpstreamOptions.SectionName}:Imap:TrashFolder is the folder served ({trash}): deleted messages would never leave it.");
        }

        if (options.Timeout <= TimeSpan.Zero)
        {
            errors.Add($"{UpstreamOptions.SectionName}:Timeout must be positive.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
