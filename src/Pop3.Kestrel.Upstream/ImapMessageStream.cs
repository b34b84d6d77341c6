using MailKit;
using MailKit.Net.Imap;

namespace Pop3.Kestrel.Upstream;

/// <summary>
/// One message of an IMAP folder, read in chunks of <c>BODY.PEEK[]&lt;offset.count&gt;</c>, so memory stays bounded by
/// one chunk whatever the message's size, and a TOP reads only the first chunks. A message whose stored octets do not
/// end with a line end gets a CRLF, as the POP3 form has. A failure upstream reads as an
/// <see cref="IOException"/>, which the server turns into <c>-ERR</c> (before the first byte) or a closed connection.
/// </summary>
internal sealed class ImapMessageStream : Stream
{
    /// <summary>The first chunk: a small message (most are) costs one round trip.</summary>
    internal const int FirstChunk = 64 * 1024;

    /// <summary>Every later chunk.</summary>
    internal const int Chunk = 512 * 1024;

    private readonly IMailFolder _folder;
    private readonly UniqueId _uid;
    private readonly Func<CancellationToken, Task>? _readToEnd;
    private Stream _current;
    private long _fetched;
    private bool _last;
    private bool _ended;
    private byte _lastByte = (byte)'\n';
    private int _lineEndSent = -1;

    private ImapMessageStream(IMailFolder folder, UniqueId uid, Stream first, int requested, Func<CancellationToken, Task>? readToEnd)
    {
        _folder = folder;
        _uid = uid;
        _current = first;
        _fetched = first.Length;
        _last = first.Length < requested;
        _readToEnd = readToEnd;
    }

    /// <summary>
    /// Fetches the first chunk of message <paramref name="uid"/>. Throws an <see cref="IOException"/> if the upstream
    /// no longer has it (expunged by another session), so the client gets <c>-ERR</c>, never another message.
    /// </summary>
    public static async Task<ImapMessageStream> OpenAsync(IMailFolder folder, UniqueId uid, long? expectedSize, Func<CancellationToken, Task>? readToEnd, CancellationToken cancellationToken)
    {
        var first = await FetchAsync(folder, uid, 0, FirstChunk, cancellationToken);
        if (first.Length == 0 && expectedSize is not 0)
        {
            await first.DisposeAsync();
            throw new IOException($"Message UID {uid} is no longer in the upstream folder.");
        }

        return new ImapMessageStream(folder, uid, first, FirstChunk, readToEnd);
    }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (buffer.IsEmpty)
        {
            return 0;
        }

        while (true)
        {
            if (_lineEndSent >= 0)
            {
                return LineEnd(buffer.Span);
            }

            var n = await _current.ReadAsync(buffer, cancellationToken);
            if (n > 0)
            {
                _lastByte = buffer.Span[n - 1];
                return n;
            }

            if (_last)
            {
                await EndAsync(cancellationToken);
                if (_lastByte != (byte)'\n')
                {
                    // The POP3 form ends with a line end; IMAP serves the stored octets, which may not.
                    _lineEndSent = 0;
                    _lastByte = (byte)'\n';
                    continue;
                }

                return 0;
            }

            await _current.DisposeAsync();
            _current = await FetchAsync(_folder, _uid, _fetched, Chunk, cancellationToken);
            _fetched += _current.Length;
            _last = _current.Length < Chunk;
        }
    }

    public override void Flush()
    {
    }

    private int LineEnd(Span<byte> buffer)
    {
        var n = 0;
        while (_lineEndSent < 2 && n < buffer.Length)
        {
            buffer[n++] = "\r\n"u8[_lineEndSent++];
        }

        return n;
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _current.Dispose();
        }

        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        await _current.DisposeAsync();
        await base.DisposeAsync();
    }

    private async Task EndAsync(CancellationToken cancellationToken)
    {
        if (_ended)
        {
            return;
        }

        _ended = true;
        if (_readToEnd is not null)
        {
            try
            {
                await _readToEnd(cancellationToken);
            }
            catch (Exception e) when (IsUpstreamFailure(e))
            {
                throw new IOException("The upstream failed after the message was read.", e);
            }
        }
    }

    private static async Task<Stream> FetchAsync(IMailFolder folder, UniqueId uid, long offset, int count, CancellationToken cancellationToken)
    {
        if (offset > int.MaxValue)
        {
            throw new IOException($"Message UID {uid} is larger than an IMAP partial fetch can address.");
        }

        try
        {
            return await folder.GetStreamAsync(uid, (int)offset, count, cancellationToken);
        }
        catch (MessageNotFoundException e)
        {
            throw new IOException($"Message UID {uid} is no longer in the upstream folder.", e);
        }
        catch (Exception e) when (IsUpstreamFailure(e))
        {
            throw new IOException($"Reading message UID {uid} from the upstream failed.", e);
        }
    }

    private static bool IsUpstreamFailure(Exception e) =>
        e is ImapProtocolException or ImapCommandException or ServiceNotConnectedException or FolderNotOpenException or System.Net.Sockets.SocketException or TimeoutException or InvalidOperationException;
}
