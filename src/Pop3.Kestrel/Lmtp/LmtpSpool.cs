namespace Pop3.Kestrel.Lmtp;

/// <summary>
/// Holds one arriving message until every recipient has its copy: in memory up to a limit, then in a temporary file
/// (deleted when closed), so memory per connection stays bounded whatever the message size. Reused across messages.
/// </summary>
internal sealed class LmtpSpool(int memoryLimit) : IAsyncDisposable
{
    private readonly MemoryStream _memory = new();
    private FileStream? _file;

    /// <summary>Octets held.</summary>
    public long Length => _file?.Length ?? _memory.Length;

    public ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        if (_file is null && _memory.Length + data.Length <= memoryLimit)
        {
            _memory.Write(data.Span);
            return ValueTask.CompletedTask;
        }

        return WriteToFileAsync(data, cancellationToken);
    }

    private async ValueTask WriteToFileAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        if (_file is null)
        {
            _file = new FileStream(Path.GetTempFileName(), FileMode.Create, FileAccess.ReadWrite, FileShare.None, 64 * 1024,
                FileOptions.DeleteOnClose | FileOptions.Asynchronous);
            await _file.WriteAsync(_memory.GetBuffer().AsMemory(0, (int)_memory.Length), cancellationToken);
            _memory.SetLength(0);
        }

        await _file.WriteAsync(data, cancellationToken);
    }

    /// <summary>The whole message from its first octet, for one recipient's copy. Not to be disposed by the reader.</summary>
    public async ValueTask<Stream> RewindAsync(CancellationToken cancellationToken)
    {
        Stream stream = _memory;
        if (_file is not null)
        {
            await _file.FlushAsync(cancellationToken);
            stream = _file;
        }

        stream.Position = 0;
        return stream;
    }

    /// <summary>Empties the spool for the next message; a temporary file is deleted.</summary>
    public async ValueTask ResetAsync()
    {
        _memory.SetLength(0);
        if (_memory.Capacity > memoryLimit)
        {
            _memory.Capacity = memoryLimit;
        }

        if (_file is not null)
        {
            await _file.DisposeAsync();
            _file = null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await ResetAsync();
        await _memory.DisposeAsync();
    }
}
