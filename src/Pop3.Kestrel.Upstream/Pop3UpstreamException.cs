namespace Pop3.Kestrel.Upstream;

/// <summary>The POP3 upstream answered <c>-ERR</c> or broke the protocol; <see cref="Exception.Message"/> is its reply line.</summary>
internal sealed class Pop3UpstreamException(string reply) : IOException(reply)
{
    /// <summary>True if the upstream refused the login itself (USER, PASS or AUTH), not the connection.</summary>
    public bool IsLoginRefusal { get; init; }

    /// <summary>True if the reply carries the RFC 2449 <c>[IN-USE]</c> response code.</summary>
    public bool InUse => Message.Contains("[IN-USE]", StringComparison.OrdinalIgnoreCase);
}
