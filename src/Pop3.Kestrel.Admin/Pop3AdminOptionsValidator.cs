using Microsoft.Extensions.Options;
using Pop3.Kestrel.Hosting;

namespace Pop3.Kestrel.Admin;

/// <summary>Checks <see cref="Pop3AdminOptions"/> at start-up.</summary>
internal sealed class Pop3AdminOptionsValidator(IOptions<Pop3ServerOptions> pop3) : IValidateOptions<Pop3AdminOptions>
{
    public ValidateOptionsResult Validate(string? name, Pop3AdminOptions options)
    {
        var errors = new List<string>();
        if (options.Port is < 0 or > 65535)
        {
            errors.Add($"Pop3:Admin:Port is {options.Port}; it must be between 0 and 65535, or not set for no admin listener.");
        }

        if (!Pop3EndpointOptions.TryParseAddress(options.Address, out _))
        {
            errors.Add($"Pop3:Admin:Address '{options.Address}' is not an IP address, 'localhost', '*' or 'any'.");
        }

        if (options.Port is > 0 and var port)
        {
            foreach (var (endpoint, listener) in pop3.Value.Endpoints)
            {
                if (listener.Port == port)
                {
                    errors.Add($"Pop3:Admin:Port {port} clashes with Pop3:Endpoints:{endpoint}:Port.");
                }
            }
        }

        if (options.Token is { Length: > 0 and < 16 })
        {
            errors.Add("Pop3:Admin:Token is too short; use at least 16 random characters (e.g. openssl rand -hex 32).");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
