namespace Pop3.Kestrel.Authentication;

/// <summary>One run of a SASL mechanism: the server's side of the challenge/response exchange.</summary>
public interface IPop3SaslExchange
{
    /// <summary>
    /// Takes the client's next response, decoded from base64: the initial response on the first call, or null on
    /// the first call when AUTH came without one. <paramref name="response"/> is valid only during the call.
    /// </summary>
    ValueTask<Pop3SaslStep> StepAsync(ReadOnlyMemory<byte>? response, CancellationToken cancellationToken);
}
