using System.IO.Pipelines;

namespace Pop3.Kestrel.Tests.Sessions;

/// <summary>A connection made of two in-memory pipes: what the session reads, and where it writes.</summary>
internal sealed class TestDuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
{
    public PipeReader Input => input;

    public PipeWriter Output => output;
}
