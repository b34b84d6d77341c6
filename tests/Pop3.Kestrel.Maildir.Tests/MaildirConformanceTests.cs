using Pop3.Kestrel.Maildrops;
using Pop3.Kestrel.Testing;

namespace Pop3.Kestrel.Maildir.Tests;

/// <summary>The Maildir store against the maildrop contract, with mail delivered as an MTA does (tmp/, then new/).</summary>
public sealed class MaildirConformanceTests : MaildropConformanceTests
{
    private readonly TempMaildirs _maildirs = new();

    protected override ValueTask<IMaildrop> CreateMaildropAsync() => ValueTask.FromResult<IMaildrop>(_maildirs.CreateMaildrop());

    protected override async ValueTask DeliverAsync(string mailbox, ReadOnlyMemory<byte> message)
    {
        using var stream = new MemoryStream(message.ToArray(), writable: false);
        await MaildirDelivery.DeliverAsync(_maildirs.Root(mailbox), stream, CancellationToken.None);
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        _maildirs.Dispose();
    }
}
