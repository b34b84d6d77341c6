using System.Buffers;
using System.IO.Pipelines;

namespace Pop3.Kestrel.Sessions;

/// <summary>The last line of a session the server ends (timeout, shutdown, eviction): written only as far as the client lets it.</summary>
internal static class Pop3FinalReply
{
    /// <summary>Writes <paramref name="reply"/> and waits at most five seconds for the client to take it.</summary>
    public static async ValueTask TryWriteAsync(PipeWriter output, byte[] reply, TimeProvider time)
    {
        try
        {
            (output as Diagnostics.Pop3ReplyTrace)?.BeginReply();
            output.Write(reply);
            using var giveUp = new CancellationTokenSource(TimeSpan.FromSeconds(5), time);
            await output.FlushAsync(giveUp.Token);
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or InvalidOperationException)
        {
            // The client is gone or not reading: there is no one left to tell.
        }
    }

    /// <summary>
    /// Writes an evicted connection's last line only if the transport takes it at once: the place was already given
    /// to another connection, so nothing may wait on a client that does not read.
    /// </summary>
    public static async ValueTask TryWriteWithoutWaitingAsync(PipeWriter output, byte[] reply)
    {
        try
        {
            (output as Diagnostics.Pop3ReplyTrace)?.BeginReply();
            output.Write(reply);
            var flush = output.FlushAsync();
            if (!flush.IsCompleted)
            {
                output.CancelPendingFlush();
            }

            await flush;
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or InvalidOperationException)
        {
            // The client is gone: there is no one left to tell.
        }
    }
}
