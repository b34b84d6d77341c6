using System.IO.Pipelines;

namespace Pop3.Benchmarks;

/// <summary>A pipe whose reader discards everything, so writers measure only their own work.</summary>
internal static class Pipes
{
    private static Pipe? s_pipe;
    private static Task? s_drain;

    public static Pipe Drained
    {
        get
        {
            if (s_pipe is null)
            {
                s_pipe = new Pipe(new PipeOptions(pauseWriterThreshold: 0, useSynchronizationContext: false));
                var pipe = s_pipe;
                s_drain = Task.Run(async () =>
                {
                    while (true)
                    {
                        var read = await pipe.Reader.ReadAsync();
                        pipe.Reader.AdvanceTo(read.Buffer.End);
                        if (read.IsCompleted)
                        {
                            return;
                        }
                    }
                });
            }

            return s_pipe;
        }
    }

    public static void Stop()
    {
        s_pipe?.Writer.Complete();
        s_drain?.Wait();
        s_pipe = null;
        s_drain = null;
    }
}
