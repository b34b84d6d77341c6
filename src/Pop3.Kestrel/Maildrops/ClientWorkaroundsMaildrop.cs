namespace Pop3.Kestrel.Maildrops;

/// <summary>
/// Wraps the application's maildrop and rewrites message streams for <see cref="Pop3ClientWorkarounds"/>. Sizes stay
/// exact: NUL to 0x80 keeps the length; with <c>oe-ns-eoh</c> the sizes are left to the framework, which measures the
/// rewritten stream once per message and remembers it.
/// </summary>
internal sealed class ClientWorkaroundsMaildrop(IMaildrop inner, Pop3ClientWorkarounds workarounds) : IMaildrop
{
    public ValueTask<MaildropOpenStatus> OpenAsync(string mailbox, CancellationToken cancellationToken) => inner.OpenAsync(mailbox, cancellationToken);

    public string? OpenFailureText => inner.OpenFailureText;

    public async ValueTask<IReadOnlyList<MaildropMessage>> ListAsync(CancellationToken cancellationToken)
    {
        var listed = await inner.ListAsync(cancellationToken);
        if (!workarounds.HasFlag(Pop3ClientWorkarounds.OeNsEoh))
        {
            return listed;
        }

        // Adding the line changes the size of some messages: the framework measures the rewritten streams.
        return listed.Select(m => m with { Size = null, Key = new WrappedKey(m) }).ToArray();
    }

    public async ValueTask<Stream> OpenMessageAsync(MaildropMessage message, CancellationToken cancellationToken)
    {
        var original = message.Key is WrappedKey wrapped ? wrapped.Original : message;
        return new WorkaroundStream(await inner.OpenMessageAsync(original, cancellationToken), workarounds);
    }

    public ValueTask CommitDeletionsAsync(IReadOnlyList<MaildropMessage> deleted, CancellationToken cancellationToken) =>
        inner.CommitDeletionsAsync(deleted.Select(m => m.Key is WrappedKey wrapped ? wrapped.Original : m).ToArray(), cancellationToken);

    public ValueTask DisposeAsync() => inner.DisposeAsync();

    private sealed record WrappedKey(MaildropMessage Original);
}
