using Pop3.Kestrel.Maildrops;
using Pop3.Kestrel.Testing;

namespace Pop3.Kestrel.Tests.Maildrops;

/// <summary>The in-memory store against the maildrop contract.</summary>
public sealed class InMemoryMaildropConformanceTests : MaildropConformanceTests
{
    private readonly InMemoryMailStore _store = new();

    protected override ValueTask<IMaildrop> CreateMaildropAsync() => ValueTask.FromResult<IMaildrop>(new InMemoryMaildrop(_store));

    protected override ValueTask DeliverAsync(string mailbox, ReadOnlyMemory<byte> message)
    {
        _store.Add(mailbox, message);
        return ValueTask.CompletedTask;
    }
}
