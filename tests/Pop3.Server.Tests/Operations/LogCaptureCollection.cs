namespace Pop3.Server.Tests.Operations;

/// <summary>
/// Tests that assert on a <see cref="LogCapture"/> and run alone: the server's Serilog logger is the process-wide
/// <c>Log.Logger</c>, so a server started by a test running in parallel takes the events away from the capture.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class LogCaptureCollection
{
    public const string Name = "Log capture";
}
