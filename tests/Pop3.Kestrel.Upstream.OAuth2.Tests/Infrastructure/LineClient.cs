using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Pop3.Kestrel.Upstream.OAuth2.Tests.Infrastructure;

/// <summary>A POP3 client that sends lines and returns the exact reply lines, for asserting on bytes.</summary>
internal sealed class LineClient : IAsyncDisposable
{
    private readonly TcpClient _tcp;
    private readonly StreamReader _reader;
    private readonly Stream _stream;

    private LineClient(TcpClient tcp)
    {
        _tcp = tcp;
        _stream = tcp.GetStream();
        _reader = new StreamReader(_stream, Encoding.Latin1);
    }

    public static async Task<LineClient> ConnectAsync(IPEndPoint endPoint)
    {
        var tcp = new TcpClient();
        await tcp.ConnectAsync(endPoint);
        return new LineClient(tcp);
    }

    public async Task<string> ReadLineAsync() =>
        await _reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30)) ?? throw new EndOfStreamException();

    public async Task<string> CommandAsync(string line)
    {
        await _stream.WriteAsync(Encoding.Latin1.GetBytes(line + "\r\n"));
        return await ReadLineAsync();
    }

    public ValueTask DisposeAsync()
    {
        _tcp.Dispose();
        return ValueTask.CompletedTask;
    }
}
