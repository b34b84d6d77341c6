using System.Buffers;
using System.IO.Pipelines;
using Pop3.Kestrel.Tests.Sessions;
using Pop3.Kestrel.Tls;

namespace Pop3.Kestrel.Tests.Tls;

/// <summary>
/// The stream under SslStream: a handshake flight goes out when the server waits for the answer to it, records after
/// the handshake wait for a flush.
/// </summary>
public sealed class DuplexPipeStreamWriteTests
{
    [Fact]
    public async Task A_handshake_flight_goes_out_in_one_send_before_the_read_that_waits_for_the_answer()
    {
        var input = new Pipe();
        var output = new Pipe();
        var stream = new DuplexPipeStream(new TestDuplexPipe(input.Reader, output.Writer));

        // SslStream flushes after each of its handshake writes.
        await stream.WriteAsync("server "u8.ToArray());
        await stream.FlushAsync();
        await stream.WriteAsync("hello"u8.ToArray());
        await stream.FlushAsync();
        Assert.False(output.Reader.TryRead(out _));

        var answer = stream.ReadAsync(new byte[16]).AsTask();
        Assert.True(output.Reader.TryRead(out var read));
        Assert.Equal("server hello"u8.ToArray(), read.Buffer.ToArray());
        output.Reader.AdvanceTo(read.Buffer.End);

        await input.Writer.WriteAsync("finished"u8.ToArray());
        Assert.Equal(8, await answer.WaitAsync(TimeSpan.FromSeconds(5)));
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
        await stream.WriteAsync(new byte[64]).AsTask().WaitAsync(TimeSpan.FromSeconds(5));
        await stream.FlushAsync().WaitAsync(TimeSpan.FromSeconds(5));
    }
}
