using Microsoft.Extensions.DependencyInjection;
using Pop3.Kestrel.Hosting;
using Pop3.Kestrel.Maildrops;
using Pop3.Kestrel.Testing;

namespace Pop3.Kestrel.Tests.Maildrops;

/// <summary>The delegate backend, registered with the synchronous one-call overload, against the maildrop contract.</summary>
public sealed class DelegateMaildropConformanceTests : MaildropConformanceTests, IDisposable
{
    private readonly Dictionary<string, List<(string Id, byte[] Bytes)>> _mail = new(StringComparer.Ordinal);
    private readonly ServiceProvider _provider;
    private int _next;

    public DelegateMaildropConformanceTests()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddPop3Server().AddMaildrop(
            list: user =>
            {
                lock (_mail)
                {
                    return _mail.TryGetValue(user, out var box) ? box.Select(m => m.Id).ToArray() : [];
                }
            },
            retrieve: (user, id) =>
            {
                lock (_mail)
                {
                    return new MemoryStream(_mail[user].First(m => m.Id == id).Bytes, writable: false);
                }
            },
            delete: (user, ids) =>
            {
                lock (_mail)
                {
                    _mail[user].RemoveAll(m => ids.Contains(m.Id));
                }
            });
        _provider = services.BuildServiceProvider();
    }

    protected override ValueTask<IMaildrop> CreateMaildropAsync() =>
        ValueTask.FromResult(_provider.CreateScope().ServiceProvider.GetRequiredService<IMaildrop>());

    protected override ValueTask DeliverAsync(string mailbox, ReadOnlyMemory<byte> message)
    {
        lock (_mail)
        {
            if (!_mail.TryGetValue(mailbox, out var box))
            {
                _mail[mailbox] = box = [];
            }

            box.Add(($"msg{++_next}", message.ToArray()));
        }

        return ValueTask.CompletedTask;
    }

    public void Dispose() => _provider.Dispose();
}

/// <summary>The delegate backend with a size callback that knows every size, so the framework measures nothing.</summary>
public sealed class DelegateMaildropWithSizeConformanceTests : MaildropConformanceTests, IDisposable
{
    private readonly InMemoryMailStore _store = new();
    private readonly ServiceProvider _provider;

    public DelegateMaildropWithSizeConformanceTests()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddPop3Server().AddMaildrop(
            list: (user, _) => ValueTask.FromResult<IEnumerable<string>>(_store.Ids(user)),
            retrieve: (user, id, _) => ValueTask.FromResult<Stream>(new MemoryStream(_store.Get(user, id)!, writable: false)),
            delete: (user, ids, _) =>
            {
                _store.Remove(user, ids);
                return ValueTask.CompletedTask;
            },
            size: (user, id, _) => ValueTask.FromResult<long?>(_store.Get(user, id) is { } bytes ? MaildropMessage.MeasureSize(bytes) : null));
        _provider = services.BuildServiceProvider();
    }

    protected override ValueTask<IMaildrop> CreateMaildropAsync() =>
        ValueTask.FromResult(_provider.CreateScope().ServiceProvider.GetRequiredService<IMaildrop>());

    protected override ValueTask DeliverAsync(string mailbox, ReadOnlyMemory<byte> message)
    {
        _store.Add(mailbox, message);
        return ValueTask.CompletedTask;
    }

    public void Dispose() => _provider.Dispose();
}
