using Microsoft.Extensions.Options;

namespace Pop3.Kestrel.Proxy;

/// <summary>How the proxy reaches the upstream POP3 server.</summary>
public enum ProxyTlsMode
{
    /// <summary>Plain text (a server on the same host or a trusted network only).</summary>
    None,

    /// <summary>TLS from the first byte (port 995).</summary>
    Implicit,

    /// <summary>STLS after the greeting; fails if the upstream does not offer it.</summary>
    StartTls,
}

/// <summary>The upstream POP3 server. Bound from the configuration section <c>Pop3:Proxy</c>.</summary>
public sealed class ProxyOptions
{
    /// <summary>The configuration section these options are bound from.</summary>
    public const string SectionName = "Pop3:Proxy";

    /// <summary>The placeholder in <see cref="User"/> replaced by the mailbox name.</summary>
    public const string UserPlaceholder = "{user}";

    /// <summary>The upstream host name or address.</summary>
    public string Host { get; set; } = "";

    /// <summary>The upstream port: 110 by default, 995 is usual with <see cref="ProxyTlsMode.Implicit"/>.</summary>
    [System.ComponentModel.DataAnnotations.Range(1, 65535)]
    public int Port { get; set; } = 110;

    /// <summary>TLS to the upstream.</summary>
    public ProxyTlsMode Tls { get; set; } = ProxyTlsMode.None;

    /// <summary>Accept an upstream certificate that does not validate (a test server). Never in production.</summary>
    public bool AcceptAnyCertificate { get; set; }

    /// <summary>
    /// The upstream user name. Empty (the default): the mailbox name, i.e. the credentials are passed through. May
    /// contain <c>{user}</c>, e.g. <c>{user}@isp.example</c>.
    /// </summary>
    public string? User { get; set; }

    /// <summary>
    /// The upstream password. Empty (the default): the password the client logged in with (USER/PASS), passed through.
    /// Set it to map every local user onto one upstream account.
    /// </summary>
    public string? Password { get; set; }

    /// <summary>How long one upstream operation may take.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(60);
}

/// <summary>Fails start-up, naming the key, when the upstream is not configured.</summary>
internal sealed class ProxyOptionsValidator : IValidateOptions<ProxyOptions>
{
    public ValidateOptionsResult Validate(string? name, ProxyOptions options)
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(options.Host))
        {
            errors.Add($"{ProxyOptions.SectionName}:Host is required for the upstream POP3 proxy.");
        }

        if (options.Port is < 1 or > 65535)
        {
            errors.Add($"{ProxyOptions.SectionName}:Port is {options.Port}; it must be 1-65535.");
        }

        if (options.Timeout <= TimeSpan.Zero)
        {
            errors.Add($"{ProxyOptions.SectionName}:Timeout must be positive.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
