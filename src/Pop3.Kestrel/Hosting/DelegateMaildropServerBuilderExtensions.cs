using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Pop3.Kestrel.Maildrops;

namespace Pop3.Kestrel.Hosting;

/// <summary>Registers a maildrop made of callbacks, for small programs (Net::Server::POP3's synopsis, in C#).</summary>
public static class DelegateMaildropServerBuilderExtensions
{
    /// <summary>
    /// Serves mailboxes through four functions of the mailbox name, replacing any other maildrop:
    /// <code>
    /// builder.AddPop3Server()
    ///     .AddMaildrop(
    ///         list: user => store.IdsOf(user),
    ///         retrieve: (user, id) => store.Open(user, id),
    ///         delete: (user, ids) => store.Remove(user, ids),
    ///         size: (user, id) => store.SizeOf(user, id));
    /// </code>
    /// </summary>
    /// <param name="builder">The server.</param>
    /// <param name="list">The ids of a mailbox's messages, oldest first (called once per session).</param>
    /// <param name="retrieve">The raw bytes of one message.</param>
    /// <param name="delete">Removes ids at UPDATE; an id already gone must not throw.</param>
    /// <param name="size">Optional: the POP3 size (CRLF octets) of a message, or null to let the framework measure it.</param>
    public static Pop3ServerBuilder AddMaildrop(
        this Pop3ServerBuilder builder,
        Func<string, IEnumerable<string>> list,
        Func<string, string, Stream> retrieve,
        Action<string, IReadOnlyList<string>> delete,
        Func<string, string, long?>? size = null)
    {
        ArgumentNullException.ThrowIfNull(list);
        ArgumentNullException.ThrowIfNull(retrieve);
        ArgumentNullException.ThrowIfNull(delete);
        return builder.AddMaildrop(new DelegateMaildropCallbacks(
            (user, _) => ValueTask.FromResult(list(user)),
            (user, id, _) => ValueTask.FromResult(retrieve(user, id)),
            (user, ids, _) =>
            {
                delete(user, ids);
                return ValueTask.CompletedTask;
            },
            size is null ? null : (user, id, _) => ValueTask.FromResult(size(user, id))));
    }

    /// <summary>Serves mailboxes through asynchronous callbacks (see <see cref="DelegateMaildropCallbacks"/>), replacing any other maildrop.</summary>
    public static Pop3ServerBuilder AddMaildrop(this Pop3ServerBuilder builder, DelegateMaildropCallbacks callbacks)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(callbacks);
        builder.Services.RemoveAll<DelegateMaildropCallbacks>();
        builder.Services.AddSingleton(callbacks);
        builder.Services.TryAddSingleton<DelegateMaildropLocks>();
        return builder.AddMaildrop<DelegateMaildrop>();
    }
}
