using Microsoft.Extensions.Options;
using Pop3.Kestrel.Authentication;
using Pop3.Kestrel.Upstream;

namespace Pop3.Kestrel.Hosting;

/// <summary>
/// When the client's own password is passed upstream (<c>Pop3:Upstream:Password</c> empty, the default credential
/// source), only logins that carry that password can work: USER/PASS, AUTH PLAIN, AUTH LOGIN. Offering CRAM-MD5 or
/// SCRAM would invite clients such as MailKit to pick them and fail upstream, so by default only PLAIN and LOGIN are
/// offered; configuring another mechanism, or APOP, stops start-up naming the key.
/// </summary>
internal sealed class UpstreamPassThroughLogins(IOptions<UpstreamOptions> upstream, IUpstreamCredentialSource source)
    : IPostConfigureOptions<Pop3AuthenticationOptions>, IValidateOptions<Pop3AuthenticationOptions>
{
    /// <summary>The SASL mechanisms whose exchange carries the password itself.</summary>
    private static readonly string[] PasswordMechanisms = ["PLAIN", "LOGIN"];

    private bool PassesClientPassword => string.IsNullOrEmpty(upstream.Value.Password) && source is ConfiguredUpstreamCredentialSource;

    public void PostConfigure(string? name, Pop3AuthenticationOptions options)
    {
        if (PassesClientPassword && options.Mechanisms.Length == 0)
        {
            options.Mechanisms = [.. PasswordMechanisms];
        }
    }

    public ValidateOptionsResult Validate(string? name, Pop3AuthenticationOptions options)
    {
        if (!PassesClientPassword)
        {
            return ValidateOptionsResult.Success;
        }

        var errors = new List<string>();
        if (options.Apop)
        {
            errors.Add($"Pop3:Authentication:Apop is true, but APOP does not carry the password that {UpstreamOptions.SectionName}:Password (empty) passes upstream; "
                + $"turn APOP off or set {UpstreamOptions.SectionName}:Password.");
        }

        var others = options.Mechanisms
            .SelectMany(entry => entry.Split([' ', ',', '\t'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .Where(mechanism => !PasswordMechanisms.Contains(mechanism, StringComparer.OrdinalIgnoreCase))
            .ToArray();
        if (others.Length > 0)
        {
            errors.Add($"Pop3:Authentication:Mechanisms has {string.Join(", ", others)}, which do not carry the password that {UpstreamOptions.SectionName}:Password (empty) "
                + $"passes upstream; offer only PLAIN and LOGIN, or set {UpstreamOptions.SectionName}:Password.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
