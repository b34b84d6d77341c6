using Microsoft.Extensions.Options;
using Pop3.Kestrel.Hosting;

namespace Pop3.Kestrel.Lmtp;

/// <summary>Checks <see cref="Pop3LmtpOptions"/> at start-up; every message names the key at fault.</summary>
internal sealed class LmtpOptionsValidator : IValidateOptions<Pop3LmtpOptions>
{
    public ValidateOptionsResult Validate(string? name, Pop3LmtpOptions options)
    {
        const string Section = Pop3LmtpOptions.SectionName;
        var errors = new List<string>();
        if (options.MaxMessageSize < 1)
        {
            errors.Add($"{Section}:MaxMessageSize is {options.MaxMessageSize}; it must be a number of octets, at least 1.");
        }

        if (options.MaxRecipients < 1)
        {
            errors.Add($"{Section}:MaxRecipients is {options.MaxRecipients}; it must be at least 1 (RFC 5321 asks for 100).");
        }

        if (options.CommandTimeout <= TimeSpan.Zero)
        {
            errors.Add($"{Section}:CommandTimeout is {options.CommandTimeout}; it must be a positive duration such as 00:05:00.");
        }

        if (options.MaxErrors < 1)
        {
            errors.Add($"{Section}:MaxErrors is {options.MaxErrors}; it must be at least 1.");
        }

        if (options.SpoolMemoryLimit < 0)
        {
            errors.Add($"{Section}:SpoolMemoryLimit is {options.SpoolMemoryLimit}; it must be a number of octets, 0 or more.");
        }

        if (options.HostName.Length > 255 || options.HostName.Any(c => c is <= ' ' or > '~'))
        {
            errors.Add($"{Section}:HostName '{options.HostName}' must be a host name: printable ASCII without spaces, at most 255 characters.");
        }

        CheckEndpoints(options, errors);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void CheckEndpoints(Pop3LmtpOptions options, List<string> errors)
    {
        const string Section = Pop3LmtpOptions.SectionName;
        var seen = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (endpointName, endpoint) in options.Endpoints)
        {
            var key = $"{Section}:Endpoints:{endpointName}";
            if (!string.IsNullOrWhiteSpace(endpoint.UnixSocket))
            {
                var directory = Path.GetDirectoryName(Path.GetFullPath(endpoint.UnixSocket));
                if (directory is null || !Directory.Exists(directory))
                {
                    errors.Add($"{key}:UnixSocket '{endpoint.UnixSocket}': the folder '{directory}' does not exist.");
                }

                continue;
            }

            if (endpoint.Port is < 0 or > 65535)
            {
                errors.Add($"{key}:Port is {endpoint.Port}; it must be between 0 and 65535.");
            }

            if (!Pop3EndpointOptions.TryParseAddress(endpoint.Address, out _))
            {
                errors.Add($"{key}:Address '{endpoint.Address}' is not an IP address, 'localhost', '*' or 'any'.");
            }

            var place = $"{endpoint.Address.Trim().ToLowerInvariant()}:{endpoint.Port}";
            if (endpoint.Port != 0 && !seen.TryAdd(place, endpointName))
            {
                errors.Add($"{key}:Port {endpoint.Port} clashes with {Section}:Endpoints:{seen[place]}.");
            }
        }
    }
}
