using System.IO.Pipelines;
using System.Text;
using Microsoft.Extensions.Logging;

namespace Pop3.Kestrel.Diagnostics;

/// <summary>
/// The server's side of the protocol trace: wraps the session's output only while the trace is on and logs
/// the first line of each reply (<c>S: +OK 2 messages</c>), never a message body or listing line after it.
/// </summary>
internal sealed class Pop3ReplyTrace(PipeWriter inner, ILogger trace) : PipeWriter
{
    private const int MaxLine = 512;
    private readonly StringBuilder _line = new();
    private Memory<byte> _last;
    private bool _capturing;
    private bool _sawCr;

    /// <summary>Wraps <paramref name="output"/> while the trace is on; otherwise returns it as it is, at no cost.</summary>
    public static PipeWriter Wrap(PipeWriter output, ILogger trace)
    {
        if (!trace.IsEnabled(LogLevel.Trace))
        {
            return output;
        }

        var traced = new Pop3ReplyTrace(output, trace);
        traced.BeginReply();
        return traced;
    }

    /// <summary>The next bytes written start a reply; its first line is logged.</summary>
    public void BeginReply()
    {
        _capturing = true;
        _sawCr = false;
        _line.Clear();
    }

    public override void Advance(int bytes)
    {
        if (_capturing)
        {
            Capture(_last.Span[..bytes]);
        }

        inner.Advance(bytes);
    }

    public override Memory<byte> GetMemory(int sizeHint = 0) => _last = inner.GetMemory(sizeHint);

    public override Span<byte> GetSpan(int sizeHint = 0) => GetMemory(sizeHint).Span;

    public override void CancelPendingFlush() => inner.CancelPendingFlush();

    public override void Complete(Exception? exception = null) => inner.Complete(exception);

    public override ValueTask CompleteAsync(Exception? exception = null) => inner.CompleteAsync(exception);

    public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default) => inner.FlushAsync(cancellationToken);

    public override bool CanGetUnflushedBytes => inner.CanGetUnflushedBytes;

    public override long UnflushedBytes => inner.UnflushedBytes;

    private void Capture(ReadOnlySpan<byte> written)
    {
        foreach (var b in written)
        {
            if (_sawCr && b == (byte)'\n')
            {
                _capturing = false;
                trace.ServerLine(_line.ToString());
                return;
            }

            if (_sawCr)
            {
                _line.Append("\\x0D");
            }

            _sawCr = b == (byte)'\r';
            if (!_sawCr && _line.Length < MaxLine)
            {
                _line.Append(b is >= 0x20 and < 0x7F ? (char)b : '?');
            }
        }
    }
}
