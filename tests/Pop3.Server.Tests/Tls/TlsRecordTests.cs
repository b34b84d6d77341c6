using System.Buffers.Binary;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text;
using Pop3.Kestrel.Maildrops;
using Pop3.Server.Tests.Infrastructure;

namespace Pop3.Server.Tests.Tls;

/// <summary>
/// A large RETR over implicit TLS and STLS: every octet arrives as sent in the clear, and the records on the wire
/// are full 16 KiB ones, the message split across record boundaries mid-line and mid-dot-stuffing.
/// </summary>
public sealed class TlsRecordTests : IAsyncLifetime
{
    private const int RecordPlaintext = 16 * 1024;
    private readonly TestCertificates _certificates = new();
    private readonly InMemoryMailStore _store = new();
    private readonly Pop3ServerFactory _server = new();
    private byte[] _message = [];

    public Task InitializeAsync()
    {
        _certificates.Write();
        _message = LargeMessage();
        _store.Add("alice", _message);
        _server.WithInMemoryMail(_store).WithTls(_certificates);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _certificates.Dispose();
    }

    [Theory]
    [InlineData(SslProtocols.Tls13)]
    [InlineData(SslProtocols.Tls12)]
    public async Task A_large_message_over_implicit_tls_is_byte_exact_in_full_records(SslProtocols protocol)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(_server.EndPointOf("Secure"));
        var recorder = new RecordingStream(tcp.GetStream());
        await AssertRetrAsync(recorder, protocol, greeted: false);
    }

    [Theory]
    [InlineData(SslProtocols.Tls13)]
    [InlineData(SslProtocols.Tls12)]
    public async Task A_large_message_over_stls_is_byte_exact_in_full_records(SslProtocols protocol)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(_server.Pop3EndPoint);
        var plain = tcp.GetStream();
        Assert.StartsWith("+OK", await ReadLineAsync(plain));
        await plain.WriteAsync("STLS\r\n"u8.ToArray());
        Assert.Equal("+OK Begin TLS negotiation", await ReadLineAsync(plain));
        await AssertRetrAsync(new RecordingStream(plain), protocol, greeted: true);
    }

    private async Task AssertRetrAsync(RecordingStream recorder, SslProtocols protocol, bool greeted)
    {
        await using var tls = new SslStream(recorder, false, (_, _, _, _) => true);
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "localhost", EnabledSslProtocols = protocol });
        Assert.Equal(protocol, tls.SslProtocol);
        if (!greeted)
        {
            Assert.StartsWith("+OK", await ReadLineAsync(tls));
        }

        await tls.WriteAsync("USER alice\r\nPASS secret\r\n"u8.ToArray());
        Assert.StartsWith("+OK", await ReadLineAsync(tls));
        Assert.StartsWith("+OK", await ReadLineAsync(tls));

        var applicationDataBefore = recorder.ApplicationDataRecords().Count;
        await tls.WriteAsync("RETR 1\r\n"u8.ToArray());
        var expected = Encoding.ASCII.GetBytes($"+OK {Pop3.Kestrel.Protocol.Pop3MessageWriter.Measure(_message)} octets\r\n").Concat(Stuffed(_message)).ToArray();
        var received = new byte[expected.Length];
        await tls.ReadExactlyAsync(received);
        Assert.Equal(expected.Length, received.Length);
        Assert.True(expected.AsSpan().SequenceEqual(received), "RETR over TLS differs from the message dot-stuffed");

        await tls.WriteAsync("QUIT\r\n"u8.ToArray());
        Assert.StartsWith("+OK", await ReadLineAsync(tls));

        // Full records: the whole reply in at most one record per 16 KiB, plus one short record per flush of the
        // message writer (every 64 KiB) and a few for the status line, the end and QUIT.
        var records = recorder.ApplicationDataRecords().Skip(applicationDataBefore).ToList();
        var full = records.Count(length => length >= RecordPlaintext);
        var flushes = (expected.Length / (64 * 1024)) + 1;
        Assert.True(full >= (expected.Length / RecordPlaintext) - flushes, $"{full} full records of {records.Count} for {expected.Length} octets");
        Assert.True(records.Count <= (expected.Length / RecordPlaintext) + flushes + 4, $"{records.Count} records for {expected.Length} octets");
    }

    /// <summary>About 1.5 MiB: lines of every length up to 40 KiB (longer than a record), one in seven starting with a dot.</summary>
    private static byte[] LargeMessage()
    {
        var random = new Random(18);
        var text = new StringBuilder("Subject: large\r\n\r\n");
        var line = 0;
        while (text.Length < 1_500_000)
        {
            var length = line % 50 == 49 ? 40_000 : random.Next(0, 200);
            if (line++ % 7 == 0)
            {
                text.Append('.');
            }

            for (var i = 0; i < length; i++)
            {
                text.Append((char)random.Next(' ', '~' + 1));
            }

            text.Append("\r\n");
        }

        return Encoding.ASCII.GetBytes(text.ToString());
    }

    /// <summary>RFC 1939 §3 by hand: a leading dot doubled on every line, then ".CRLF".</summary>
    private static byte[] Stuffed(byte[] message)
    {
        var output = new MemoryStream();
        var lineStart = true;
        foreach (var octet in message)
        {
            if (lineStart && octet == (byte)'.')
            {
                output.WriteByte((byte)'.');
            }

            output.WriteByte(octet);
            lineStart = octet == (byte)'\n';
        }

        output.Write(".\r\n"u8);
        return output.ToArray();
    }

    private static async Task<string> ReadLineAsync(Stream stream)
    {
        var line = new List<byte>();
        var one = new byte[1];
        while (await stream.ReadAsync(one) == 1)
        {
            line.Add(one[0]);
            if (line.Count >= 2 && line[^2] == '\r' && line[^1] == '\n')
            {
                return Encoding.ASCII.GetString(line.ToArray(), 0, line.Count - 2);
            }
        }

        throw new EndOfStreamException(Encoding.ASCII.GetString(line.ToArray()));
    }

    /// <summary>Passes a connection through and keeps every octet the server sent, to read the TLS record headers.</summary>
    private sealed class RecordingStream(Stream inner) : Stream
    {
        private readonly MemoryStream _received = new();

        public override bool CanRead => true;

        public override bool CanWrite => true;

        public override bool CanSeek => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        /// <summary>The ciphertext length of every application-data record (content type 23) received so far.</summary>
        public List<int> ApplicationDataRecords()
        {
            var bytes = _received.ToArray();
            var lengths = new List<int>();
            var at = 0;
            while (at + 5 <= bytes.Length)
            {
                var length = BinaryPrimitives.ReadUInt16BigEndian(bytes.AsSpan(at + 3));
                if (bytes[at] == 23)
                {
                    lengths.Add(length);
                }

                at += 5 + length;
            }

            return lengths;
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var read = await inner.ReadAsync(buffer, cancellationToken);
            _received.Write(buffer.Span[..read]);
            return read;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) => inner.WriteAsync(buffer, cancellationToken);

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            inner.WriteAsync(buffer, offset, count, cancellationToken);

        public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

        public override void Flush() => inner.Flush();

        public override int Read(byte[] buffer, int offset, int count)
        {
            var read = inner.Read(buffer, offset, count);
            _received.Write(buffer, offset, read);
            return read;
        }

        public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
