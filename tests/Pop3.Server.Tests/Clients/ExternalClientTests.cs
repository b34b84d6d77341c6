using Pop3.Kestrel.Sessions;
using Pop3.Server.Tests.Infrastructure;

namespace Pop3.Server.Tests.Clients;

/// <summary>
/// A client program run against the real server: alice's mailbox of tricky corpus messages, a recorder of
/// how each session ended, and a private HOME for the tool (with a "delivered" folder for its MDA).
/// </summary>
public abstract class ExternalClientTests : IAsyncLifetime, IDisposable
{
    protected CorpusMailbox Mailbox { get; } = CorpusMailbox.Of(CorpusMailbox.Tricky);

    protected Pop3SessionRecorder Sessions { get; } = new();

    protected Pop3ServerFactory Server { get; } = new();

    protected TempDirectory Home { get; } = new();

    /// <summary>Where the tool's MDA writes the messages it is handed.</summary>
    protected string Delivered => Home["delivered"];

    public Task InitializeAsync()
    {
        Server.WithInMemoryMail(Mailbox.Store).WithSessionRecorder(Sessions);
        Directory.CreateDirectory(Delivered);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await Server.DisposeAsync();

    public void Dispose()
    {
        Home.Dispose();
        GC.SuppressFinalize(this);
    }
}
