using System.Collections.Concurrent;

namespace Pop3.Kestrel.Maildrops;

/// <summary>The per-mailbox locks of the delegate backend: one session per mailbox in this process.</summary>
internal sealed class DelegateMaildropLocks
{
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _locks = new(StringComparer.Ordinal);

    public SemaphoreSlim For(string mailbox) => _locks.GetOrAdd(mailbox, static _ => new SemaphoreSlim(1, 1));
}

/// <summary>
/// A maildrop made of callbacks (see <see cref="DelegateMaildropCallbacks"/>). The lock is held in this process: a
/// second session for the same mailbox gets <c>[IN-USE]</c>. Callbacks that throw during open or listing make the
/// login fail with <c>[SYS/TEMP]</c>.
/// </summary>
internal sealed class DelegateMaildrop(DelegateMaildropCallbacks callbacks, DelegateMaildropLocks locks) : IMaildrop
{
    private string? _mailbox;
    private SemaphoreSlim? _lock;
    private IReadOnlyList<MaildropMessage>? _snapshot;

    public ValueTask<MaildropOpenStatus> OpenAsync(string mailbox, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(mailbox);
        if (_lock is not null)
        {
            throw new InvalidOperationException("The maildrop is already open.");
        }

        var mailboxLock = locks.For(mailbox);
        if (!mailboxLock.Wait(0, CancellationToken.None))
        {
            return ValueTask.FromResult(MaildropOpenStatus.InUse);
        }

        _lock = mailboxLock;
        _mailbox = mailbox;
        return ValueTask.FromResult(MaildropOpenStatus.Opened);
    }

    public async ValueTask<IReadOnlyList<MaildropMessage>> ListAsync(CancellationToken cancellationToken)
    {
        var mailbox = _mailbox ?? throw new InvalidOperationException("The maildrop is not open.");
        if (_snapshot is not null)
        {
            return _snapshot;
        }

        var messages = new List<MaildropMessage>();
        foreach (var id in await callbacks.List(mailbox, cancellationToken))
        {
            var size = callbacks.Size is null ? null : await callbacks.Size(mailbox, id, cancellationToken);
            messages.Add(new MaildropMessage(id, size, id));
        }

        _snapshot = messages;
        return messages;
    }

    public ValueTask<Stream> OpenMessageAsync(MaildropMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        var mailbox = _mailbox ?? throw new InvalidOperationException("The maildrop is not open.");
        return callbacks.Retrieve(mailbox, message.Id, cancellationToken);
    }

    public async ValueTask CommitDeletionsAsync(IReadOnlyList<MaildropMessage> deleted, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(deleted);
        var mailbox = _mailbox ?? throw new InvalidOperationException("The maildrop is not open.");
        if (deleted.Count > 0)
        {
            await callbacks.Delete(mailbox, deleted.Select(m => m.Id).ToArray(), cancellationToken);
        }
    }

    public ValueTask DisposeAsync()
    {
        _lock?.Release();
        _lock = null;
        _mailbox = null;
        _snapshot = null;
        return ValueTask.CompletedTask;
    }
}
