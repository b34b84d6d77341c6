using System.Buffers;
using System.IO.Pipelines;
using Pop3.Kestrel.Tests.Sessions;
using Pop3.Kestrel.Tls;

namespace Pop3.Kestrel.Tests.Tls;

/// <summary>The stream under SslStream: the handshake's flights go out at once, records after it wait for a flush.</summary>
public sealed class DuplexPipeStreamWriteTests
{
    [Fact]
    public async Task A_handshake_write_reaches_the_connection_at_once()
    {
        var output = new Pipe();
        var stream = new DuplexPipeStream(new TestDuplexPipe(new Pipe().Reader, output.Writer));

        await stream.WriteAsync("flight"u8.ToArray());

        Assert.True(output.Reader.TryRead(out var read));
        Assert.Equal("flight"u8.ToArray(), read.Buffer.ToArray());
    }

    [Fact]
    public async Task After_the_handshake_records_wait_for_the_flush_and_go_out_together()
    {
        var output = new Pipe();
        var stream = new DuplexPipeStream(new TestDuplexPipe(new Pipe().Reader, output.Writer)) { IsHandshaking = false };

        await stream.WriteAsync("one"u8.ToArray());
        await stream.WriteAsync("two"u8.ToArray());
        Assert.False(output.Reader.TryRead(out _));

        await stream.FlushAsync();
        Assert.True(output.Reader.TryRead(out var read));
        Assert.Equal("onetwo"u8.ToArray(), read.Buffer.ToArray());
    }

    [Fact]
    public async Task A_flush_to_a_client_that_does_not_read_ends_when_waiting_stops()
    {
        var output = new Pipe(new PipeOptions(pauseWriterThreshold: 16, resumeWriterThreshold: 8, useSynchronizationContext: false));
        var stream = new DuplexPipeStream(new TestDuplexPipe(new Pipe().Reader, output.Writer)) { IsHandshaking = false };
        await stream.WriteAsync(new byte[64]);

        var flush = stream.FlushAsync();
        Assert.False(flush.IsCompleted);
        stream.StopWaiting();
        await flush.WaitAsync(TimeSpan.FromSeconds(5));

        // Later writes and flushes do not wait either.
        stream.IsHandshaking = true;
        await stream.WriteAsync(new byte[64]).AsTask().WaitAsync(TimeSpan.FromSeconds(5));
        await stream.FlushAsync().WaitAsync(TimeSpan.FromSeconds(5));
    }
}
