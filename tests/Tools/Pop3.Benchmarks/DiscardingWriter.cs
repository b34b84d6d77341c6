using System.IO.Pipelines;

namespace Pop3.Benchmarks;

/// <summary>A PipeWriter over one buffer that a flush empties, so writers are measured without a pipe's own costs.</summary>
internal sealed class DiscardingWriter : PipeWriter
{
    private readonly byte[] _buffer = new byte[1024 * 1024];
    private int _written;

    public override void Advance(int bytes) => _written += bytes;

    public override Memory<byte> GetMemory(int sizeHint = 0)
    {
        Make(sizeHint);
        return _buffer.AsMemory(_written);
    }

    public override Span<byte> GetSpan(int sizeHint = 0)
    {
        Make(sizeHint);
        return _buffer.AsSpan(_written);
    }

    private void Make(int sizeHint)
    {
        // Like a pipe that gets a new segment: the data written so far is dropped.
        if (_buffer.Length - _written < Math.Max(sizeHint, 1))
        {
            _written = 0;
        }
    }

    public override void CancelPendingFlush()
    {
    }

    public override void Complete(Exception? exception = null)
    {
    }

    public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default)
    {
        _written = 0;
        return ValueTask.FromResult(default(FlushResult));
    }
}
