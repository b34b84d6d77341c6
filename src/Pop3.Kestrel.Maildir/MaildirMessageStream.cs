using Microsoft.Win32.SafeHandles;

namespace Pop3.Kestrel.Maildir;

/// <summary>
/// A message file read for RETR and TOP: synchronous positional reads (<see cref="RandomAccess"/>) behind the
/// async API. On Unix a <see cref="FileStream"/>'s <c>ReadAsync</c> hands every read to the thread pool (there is
/// no asynchronous file I/O there), which cost two thread hand-offs per small message. A message of one writer chunk
/// (64 KiB) is read wherever the session runs, a page-cache read of microseconds; a larger one only after the session
/// moved to the thread pool (<c>Pop3MessageSender</c>). A read that comes back short is the end of the file, so a
/// small message takes one <c>pread</c>, not two.
/// </summary>
internal sealed class MaildirMessageStream(SafeFileHandle file) : Stream
{
    private long _position;
    private bool _ended;

    /// <summary>Opens <paramref name="path"/> for reading; no read-ahead hint, no buffer (the writer reads 64 KiB chunks).</summary>
    public static MaildirMessageStream Open(string path) =>
        new(File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete));

    public override bool CanRead => !file.IsClosed;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => RandomAccess.GetLength(file);

    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException();
    }

    public override int Read(Span<byte> buffer)
    {
        if (_ended || buffer.IsEmpty)
        {
            return 0;
        }

        var read = RandomAccess.Read(file, buffer, _position);
        _position += read;
        _ended = read < buffer.Length;
        return read;
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<int>(cancellationToken);
        }

        try
        {
            return ValueTask.FromResult(Read(buffer.Span));
        }
        catch (Exception e)
        {
            return ValueTask.FromException<int>(e);
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            file.Dispose();
        }

        base.Dispose(disposing);
    }
}
