namespace Pop3.Kestrel.Maildrops;

/// <summary>The maildrop of an <see cref="InMemoryMailStore"/>: one session per mailbox at a time.</summary>
internal sealed class InMemoryMaildrop(InMemoryMailStore store) : IMaildrop
{
    private InMemoryMailStore.Mailbox? _mailbox;
    private IReadOnlyList<MaildropMessage>? _snapshot;

    /// <inheritdoc />
    public ValueTask<MaildropOpenStatus> OpenAsync(string mailbox, CancellationToken cancellationToken)
    {
        var box = store.Open(mailbox);
        if (!box.Lock.Wait(0, CancellationToken.None))
        {
            return ValueTask.FromResult(MaildropOpenStatus.InUse);
        }

        _mailbox = box;
        return ValueTask.FromResult(MaildropOpenStatus.Opened);
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<MaildropMessage>> ListAsync(CancellationToken cancellationToken)
    {
        var box = _mailbox ?? throw new InvalidOperationException("The maildrop is not open.");
        lock (box)
        {
            // Taken once: mail added later waits for the next session.
            _snapshot ??= box.Messages.Select(m => new MaildropMessage(m.Id, m.Size, m)).ToArray();
            return ValueTask.FromResult(_snapshot);
        }
    }

    /// <inheritdoc />
    public ValueTask<Stream> OpenMessageAsync(MaildropMessage message, CancellationToken cancellationToken)
    {
        var stored = (InMemoryMailStore.StoredMessage)message.Key!;
        return ValueTask.FromResult<Stream>(new MemoryStream(stored.Bytes, writable: false));
    }

    /// <inheritdoc />
    public ValueTask CommitDeletionsAsync(IReadOnlyList<MaildropMessage> deleted, CancellationToken cancellationToken)
    {
        var box = _mailbox ?? throw new InvalidOperationException("The maildrop is not open.");
        lock (box)
        {
            foreach (var message in deleted)
            {
                box.Messages.Remove((InMemoryMailStore.StoredMessage)message.Key!);
            }
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        _mailbox?.Lock.Release();
        _mailbox = null;
        _snapshot = null;
        return ValueTask.CompletedTask;
    }
}
