namespace Pop3.Kestrel.Authentication;

/// <summary>Where passwords and bearer tokens may be sent without TLS.</summary>
public enum Pop3PlaintextPolicy
{
    /// <summary>Only over TLS (port 995 or after STLS).</summary>
    Never,

    /// <summary>Over TLS, and without it only from a loopback address or a Unix socket (the default).</summary>
    Loopback,

    /// <summary>Everywhere (not recommended: passwords cross the network in the clear).</summary>
    Always,
}
