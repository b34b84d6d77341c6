using Microsoft.Extensions.Options;
using Pop3.Kestrel.Authentication;

namespace Pop3.Kestrel.Hosting;

/// <summary>Refuses to start with connection limits that cannot work (<c>Pop3:Limits</c>), naming the key.</summary>
internal sealed class Pop3LimitsOptionsValidator : IValidateOptions<Pop3LimitsOptions>
{
    public ValidateOptionsResult Validate(string? name, Pop3LimitsOptions options)
    {
        if (options.MaxConnections < 0 || options.MaxConnectionsPerIp < 0 || options.MaxConnectionsPerUserIp < 0 || options.MaxUnauthenticatedConnections < 0)
        {
            return ValidateOptionsResult.Fail("Pop3:Limits:MaxConnections, MaxConnectionsPerIp, MaxConnectionsPerUserIp and MaxUnauthenticatedConnections must not be negative (0 means no limit).");
        }

        return options.MinAuthorizationTimeout <= TimeSpan.Zero
            ? ValidateOptionsResult.Fail($"Pop3:Limits:MinAuthorizationTimeout is {options.MinAuthorizationTimeout}; it must be a positive duration such as 00:00:10.")
            : ValidateOptionsResult.Success;
    }
}
