using Pop3.Kestrel.Maildrops;
using Pop3.Kestrel.Testing;

namespace Pop3.Kestrel.Maildir.Tests;

/// <summary>The Maildir store against the maildrop contract again, every session sharing one listing cache as in the host.</summary>
public sealed class MaildirCachedConformanceTests : MaildropConformanceTests
{
    private readonly TempMaildirs _maildirs = new();
    private readonly MaildirListingCache _cache;

    public MaildirCachedConformanceTests() =>
        _cache = new MaildirListingCache(Microsoft.Extensions.Options.Options.Create(new MaildirOptions { Path = _maildirs.Template }), TimeProvider.System);

    protected override ValueTask<IMaildrop> CreateMaildropAsync() => ValueTask.FromResult<IMaildrop>(_maildirs.CreateMaildrop(_cache));

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
