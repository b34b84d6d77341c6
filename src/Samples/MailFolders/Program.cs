// The README's synopsis ("Plug in your own mail"), word for word below this comment: a test keeps the two equal,
// runs a session through this program and the conformance kit over its maildrop.
//
//   mkdir -p mail/alice && printf 'Subject: hi\n\nHello.\n' > mail/alice/1.eml
//   dotnet run --project src/Samples/MailFolders -- --MailFolders=$PWD/mail \
//       --Pop3:Endpoints:Default:Address=127.0.0.1 --Pop3:Endpoints:Default:Port=11000
//   curl pop3://127.0.0.1:11000/1 -u alice:secret
using System.Collections.Concurrent;
using Pop3.Kestrel.Authentication;
using Pop3.Kestrel.Hosting;
using Pop3.Kestrel.Maildrops;

var builder = WebApplication.CreateBuilder(args);
builder.Services.AddSingleton(new MailFolders(builder.Configuration["MailFolders"] ?? "mail"));  // your mail
builder.AddPop3Server(o => o.Greeting = "Welcome to my POP3 server")                             // welcome
    .AddAuthenticator((user, pass, connection, ct) => ValueTask.FromResult(                      // authenticate
        pass == "secret" ? Pop3AuthenticationResult.Success(user) : Pop3AuthenticationResult.Failure))
    .AddMaildrop<MyMaildrop>();                                                                  // one per session
builder.Build().Run();

// One session's mailbox: locked at open, listed once, deletions applied only when the client QUITs.
public sealed class MyMaildrop(MailFolders mail) : IMaildrop
{
    private string? _user;
    private IReadOnlyList<MaildropMessage> _messages = [];

    public ValueTask<MaildropOpenStatus> OpenAsync(string mailbox, CancellationToken ct)
    {
        if (!mail.TryLock(mailbox))
        {
            return ValueTask.FromResult(MaildropOpenStatus.InUse);   // another session has it: -ERR [IN-USE]
        }

        _user = mailbox;
        _messages = [.. mail.List(mailbox).Select(id => new MaildropMessage(id, Size: null))];   // list
        return ValueTask.FromResult(MaildropOpenStatus.Opened);
    }

    public ValueTask<IReadOnlyList<MaildropMessage>> ListAsync(CancellationToken ct) => ValueTask.FromResult(_messages);

    public ValueTask<Stream> OpenMessageAsync(MaildropMessage message, CancellationToken ct) =>   // retrieve
        ValueTask.FromResult(mail.Open(_user!, message.Id));

    public ValueTask CommitDeletionsAsync(IReadOnlyList<MaildropMessage> deleted, CancellationToken ct)  // delete
    {
        foreach (var message in deleted)
        {
            mail.Delete(_user!, message.Id);
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync()
    {
        if (_user is not null)
        {
            mail.Unlock(_user);
            _user = null;
        }

        return ValueTask.CompletedTask;
    }
}

// Your mail: a folder per user, a file per message (written elsewhere and moved in, so none is seen half written).
public sealed class MailFolders(string root)
{
    private readonly ConcurrentDictionary<string, bool> _locked = new();

    public bool TryLock(string user) => _locked.TryAdd(user, true);

    public void Unlock(string user) => _locked.TryRemove(user, out _);

    public IEnumerable<string> List(string user) => Directory.Exists(Folder(user))
        ? Directory.EnumerateFiles(Folder(user)).Select(path => Path.GetFileName(path)).Order(StringComparer.Ordinal)
        : [];

    public Stream Open(string user, string id) => File.OpenRead(Path.Combine(Folder(user), id));

    public void Delete(string user, string id) => File.Delete(Path.Combine(Folder(user), id));

    private string Folder(string user) => Path.GetFileName(user) == user && user is not ("" or "." or "..")
        ? Path.Combine(root, user)
        : throw new ArgumentException($"'{user}' cannot name a folder.", nameof(user));
}
