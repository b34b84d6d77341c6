// The README's example of the conformance kit ("Test your own maildrop"), word for word below this comment: a test
// keeps the two equal, and xunit runs the kit's 29 checks over the synopsis's maildrop through it.
using Pop3.Kestrel.Maildrops;
using Pop3.Kestrel.Testing;

public sealed class MyMaildropConformanceTests : MaildropConformanceTests
{
    private readonly string _root = Directory.CreateTempSubdirectory().FullName;
    private readonly MailFolders _mail;
    private int _delivered;

    public MyMaildropConformanceTests() => _mail = new MailFolders(_root);

    protected override ValueTask<IMaildrop> CreateMaildropAsync() => ValueTask.FromResult<IMaildrop>(new MyMaildrop(_mail));

    protected override async ValueTask DeliverAsync(string mailbox, ReadOnlyMemory<byte> message)
    {
        var folder = Directory.CreateDirectory(Path.Combine(_root, mailbox));
        await File.WriteAllBytesAsync(Path.Combine(folder.FullName, $"{++_delivered:D6}.eml"), message);
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }
}
