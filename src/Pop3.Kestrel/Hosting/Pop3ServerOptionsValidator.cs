using System.Text;
using Microsoft.Extensions.Options;

namespace Pop3.Kestrel.Hosting;

/// <summary>Checks <see cref="Pop3ServerOptions"/> at start-up; every message names the configuration key at fault.</summary>
internal sealed class Pop3ServerOptionsValidator : IValidateOptions<Pop3ServerOptions>
{
    /// <summary>RFC 2449 §4: a response line is at most 512 octets, CRLF included.</summary>
    public const int MaxReplyLine = 512;

    public ValidateOptionsResult Validate(string? name, Pop3ServerOptions options)
    {
        var errors = new List<string>();
        ValidateGreeting(options.Greeting, errors);

        // RFC 1939 asks for at least 10 minutes; shorter values are allowed for tests and closed networks.
        if (options.CommandTimeout <= TimeSpan.Zero)
        {
            errors.Add($"Pop3:CommandTimeout is {options.CommandTimeout}; it must be a positive duration such as 00:10:00.");
        }

        if (options.AuthorizationTimeout <= TimeSpan.Zero)
        {
            errors.Add($"Pop3:AuthorizationTimeout is {options.AuthorizationTimeout}; it must be a positive duration such as 00:01:00.");
        }

        if (options.MaxErrors < 1)
        {
            errors.Add($"Pop3:MaxErrors is {options.MaxErrors}; it must be at least 1.");
        }

        if (options.LoginDelay < 0)
        {
            errors.Add($"Pop3:LoginDelay is {options.LoginDelay}; it must be a number of seconds, 0 or more.");
        }

        if (!Sessions.Pop3Capabilities.IsValidExpire(options.Expire))
        {
            errors.Add($"Pop3:Expire is '{options.Expire}'; it must be NEVER or a number of days (0 or more).");
        }

        if (!IsPrintableAscii(options.Implementation) || options.Implementation.Length > 200)
        {
            errors.Add("Pop3:Implementation must be printable ASCII of at most 200 characters.");
        }

        if (options.DrainTimeout < TimeSpan.Zero)
        {
            errors.Add($"Pop3:DrainTimeout is {options.DrainTimeout}; it must be a duration of 0 or more such as 00:00:30.");
        }

        if (!Tls.Pop3TlsPolicy.TryParseMinimumVersion(options.TlsMinimumVersion, out _))
        {
            errors.Add($"Pop3:TlsMinimumVersion is '{options.TlsMinimumVersion}'; it must be 1.2 (the default), 1.3, 1.1 or 1.0.");
        }

        ProxyProtocol.Pop3ProxyProtocolValidation.Validate(options, errors);
        ValidateEndpoints(options, errors);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void ValidateGreeting(string greeting, List<string> errors)
    {
        if (!IsPrintableAscii(greeting))
        {
            errors.Add("Pop3:Greeting must be printable ASCII on one line (no CR, LF or control characters).");
            return;
        }

        var octets = Encoding.ASCII.GetByteCount(greeting) + 6;
        if (octets > MaxReplyLine)
        {
            errors.Add($"Pop3:Greeting is too long: with \"+OK \" and CRLF it is {octets} octets; at most {MaxReplyLine} are allowed (RFC 2449 §4).");
        }
    }

    private static void ValidateEndpoints(Pop3ServerOptions options, List<string> errors)
    {
        var seen = new Dictionary<(string Address, int Port), string>();
        foreach (var (endpointName, endpoint) in options.Endpoints)
        {
            var key = $"Pop3:Endpoints:{endpointName}";
            if (endpoint.Port is < 0 or > 65535)
            {
                errors.Add($"{key}:Port is {endpoint.Port}; it must be between 0 and 65535.");
            }

            if (!Pop3EndpointOptions.TryParseAddress(endpoint.Address, out _))
            {
                errors.Add($"{key}:Address '{endpoint.Address}' is not an IP address, 'localhost', '*' or 'any'.");
            }

            if (endpoint.Port != 0 && !seen.TryAdd((endpoint.Address.ToLowerInvariant(), endpoint.Port), endpointName))
            {
                errors.Add($"{key}:Port {endpoint.Port} clashes with Pop3:Endpoints:{seen[(endpoint.Address.ToLowerInvariant(), endpoint.Port)]}.");
            }
        }
    }

    private static bool IsPrintableAscii(string text)
    {
        foreach (var c in text)
        {
            if (c is < ' ' or > '~')
            {
                return false;
            }
        }

        return true;
    }
}
