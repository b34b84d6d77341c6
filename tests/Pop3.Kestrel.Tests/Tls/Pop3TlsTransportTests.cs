using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Pop3.Kestrel.Tests.Sessions;
using Pop3.Kestrel.Tls;

namespace Pop3.Kestrel.Tests.Tls;

/// <summary>
/// The end of the server's handshake over in-memory pipes: what TLS 1.2's client waits for is sent at once, what
/// TLS 1.3's client does not wait for (session tickets) goes out with the first reply.
/// </summary>
public sealed class Pop3TlsTransportTests : IAsyncLifetime
{
    private readonly Pipe _toServer = new();
    private readonly Pipe _toClient = new();
    private X509Certificate2? _certificate;
    private Pop3TlsTransport? _server;
    private SslStream? _client;

    public Task InitializeAsync()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var certificate = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256)
            .CreateSelfSigned(DateTimeOffset.Now.AddMinutes(-5), DateTimeOffset.Now.AddDays(1));
        _certificate = X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pfx), null);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        if (_client is not null)
        {
            await _client.DisposeAsync();
        }

        if (_server is not null)
        {
            _toClient.Reader.Complete();
            await _server.DisposeAsync();
        }

        _certificate?.Dispose();
    }

    [Fact]
    public async Task After_a_tls13_handshake_the_session_tickets_go_out_with_the_first_reply()
    {
        await HandshakeAsync(SslProtocols.Tls13);

        // The client has what it needs (the server's Finished); nothing more was sent on its own.
        Assert.False(_toClient.Reader.TryRead(out _));

        await _server!.Output.WriteAsync("+OK ready\r\n"u8.ToArray());
        await _server.Output.FlushAsync();

        Assert.True(_toClient.Reader.TryRead(out var sent));
        var records = Records(sent.Buffer);
        _toClient.Reader.AdvanceTo(sent.Buffer.Start);
        Assert.True(records >= 2, $"{records} record(s) in the first send: the tickets and the reply");
        Assert.Equal("+OK ready\r\n", await ReadAsync(11));
    }

    [Fact]
    public async Task A_tls12_handshake_ends_with_the_servers_finished_sent_at_once()
    {
        // The client's handshake ends only once it has the server's Finished: HandshakeAsync would time out otherwise.
        await HandshakeAsync(SslProtocols.Tls12);

        await _server!.Output.WriteAsync("+OK ready\r\n"u8.ToArray());
        await _server.Output.FlushAsync();
        Assert.Equal("+OK ready\r\n", await ReadAsync(11));
    }

    [Fact]
    public async Task A_32_KiB_reply_goes_out_as_two_full_records()
    {
        await HandshakeAsync(SslProtocols.Tls13);
        var reply = new byte[Pop3TlsTransport.WriteChunk];
        reply.AsSpan().Fill((byte)'a');

        await _server!.Output.WriteAsync(reply);
        await _server.Output.FlushAsync();

        Assert.True(_toClient.Reader.TryRead(out var sent));
        var lengths = RecordLengths(sent.Buffer);
        _toClient.Reader.AdvanceTo(sent.Buffer.Start);
        Assert.Equal(2, lengths.Count(length => length > Pop3TlsTransport.RecordSize));
        Assert.Equal(Encoding.ASCII.GetString(reply), await ReadAsync(reply.Length));
    }

    private async Task HandshakeAsync(SslProtocols protocol)
    {
        var options = new SslServerAuthenticationOptions { ServerCertificateContext = SslStreamCertificateContext.Create(_certificate!, null) };
        var server = Pop3TlsTransport.AuthenticateAsync(
            new TestDuplexPipe(_toServer.Reader, _toClient.Writer),
            (_, _, _, _) => ValueTask.FromResult(options),
            TimeSpan.FromSeconds(10),
            TimeProvider.System,
            CancellationToken.None).AsTask();
        _client = new SslStream(new ClientStream(_toClient.Reader, _toServer.Writer), false, (_, _, _, _) => true);
        await _client.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "localhost", EnabledSslProtocols = protocol })
            .WaitAsync(TimeSpan.FromSeconds(10));
        var (transport, failure) = await server.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Null(failure);
        _server = transport;
        Assert.Equal(protocol, _client.SslProtocol);
    }

    private async Task<string> ReadAsync(int length)
    {
        var buffer = new byte[length];
        await _client!.ReadExactlyAsync(buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        return Encoding.ASCII.GetString(buffer);
    }

    private static int Records(ReadOnlySequence<byte> sent) => RecordLengths(sent).Count;

    /// <summary>The lengths of the TLS records in <paramref name="sent"/>, from their 5-octet headers.</summary>
    private static List<int> RecordLengths(ReadOnlySequence<byte> sent)
    {
        var bytes = sent.ToArray();
        var lengths = new List<int>();
        for (var at = 0; at + 5 <= bytes.Length; at += 5 + lengths[^1])
        {
            lengths.Add(BinaryPrimitives.ReadUInt16BigEndian(bytes.AsSpan(at + 3)));
        }

        return lengths;
    }

    /// <summary>The client's side: every write sent at once, as a socket would.</summary>
    private sealed class ClientStream(PipeReader input, PipeWriter output) : Stream
    {
        public override bool CanRead => true;

        public override bool CanWrite => true;

        public override bool CanSeek => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> destination, CancellationToken cancellationToken = default)
        {
            while (true)
            {
                var result = await input.ReadAsync(cancellationToken);
                if (!result.Buffer.IsEmpty)
                {
                    var count = (int)Math.Min(result.Buffer.Length, destination.Length);
                    result.Buffer.Slice(0, count).CopyTo(destination.Span);
                    input.AdvanceTo(result.Buffer.GetPosition(count));
                    return count;
                }

                input.AdvanceTo(result.Buffer.End);
                if (result.IsCompleted)
                {
                    return 0;
                }
            }
        }

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> source, CancellationToken cancellationToken = default) =>
            await output.WriteAsync(source, cancellationToken);

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
