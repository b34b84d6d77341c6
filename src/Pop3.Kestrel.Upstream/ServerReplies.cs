using System.Text;
using MailKit;

namespace Pop3.Kestrel.Upstream;

/// <summary>
/// Keeps the upstream's most recent reply text, because MailKit reports a refused login only as "Authentication
/// failed" and the gateway must tell <c>[IN-USE]</c> apart. Only what the server sends is kept; what the client sends
/// (passwords) is never looked at.
/// </summary>
internal sealed class ServerReplies : IProtocolLogger
{
    private const int Keep = 1024;
    private readonly StringBuilder _recent = new();

    public IAuthenticationSecretDetector? AuthenticationSecretDetector { get; set; }

    /// <summary>True if the upstream's recent replies carry the RFC 2449 <c>[IN-USE]</c> response code.</summary>
    public bool SaidInUse => _recent.ToString().Contains("-ERR [IN-USE]", StringComparison.OrdinalIgnoreCase);

    public void LogConnect(Uri uri)
    {
    }

    public void LogClient(byte[] buffer, int offset, int count)
    {
    }

    public void LogServer(byte[] buffer, int offset, int count)
    {
        _recent.Append(Encoding.Latin1.GetString(buffer, offset, Math.Min(count, Keep)));
        if (_recent.Length > Keep)
        {
            _recent.Remove(0, _recent.Length - Keep);
        }
    }

    public void Dispose()
    {
    }
}
