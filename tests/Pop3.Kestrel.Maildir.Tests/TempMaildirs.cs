using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Pop3.Kestrel.Maildir;
using Pop3.Kestrel.Maildrops;

namespace Pop3.Kestrel.Maildir.Tests;

/// <summary>A folder of Maildirs on disk for one test, deleted afterwards. The path template is <c>&lt;folder&gt;/{user}/Maildir</c>.</summary>
/// <remarks>
/// The maildrops share one <see cref="MaildirLocks"/>, as a server's do; <see cref="NewLocks"/> makes another, which
/// behaves like the locks of a second server process. The shared lock file lies next to the folder, not in it, so
/// the folder holds only Maildirs.
/// </remarks>
internal sealed class TempMaildirs : IDisposable
{
    private readonly List<MaildirLocks> _locks = [];
    private readonly MaildirLocking _locking;

    public TempMaildirs(MaildirLocking locking = MaildirLocking.Auto)
    {
        _locking = locking;
        var id = Guid.NewGuid().ToString("N");
        Folder = Path.Combine(Path.GetTempPath(), "pop3-kestrel-maildir-tests", id);
        LockFile = Path.Combine(Path.GetTempPath(), "pop3-kestrel-maildir-tests", id + ".locks");
        Directory.CreateDirectory(Folder);
        Locks = NewLocks();
    }

    public string Folder { get; }

    public string LockFile { get; }

    public string Template => Path.Combine(Folder, MaildirOptions.UserPlaceholder, "Maildir");

    /// <summary>The locks every maildrop of <see cref="CreateMaildrop()"/> uses.</summary>
    public MaildirLocks Locks { get; }

    public IOptions<MaildirOptions> Options => Microsoft.Extensions.Options.Options.Create(
        new MaildirOptions { Path = Template, LockFile = LockFile, Locking = _locking });

    public string Root(string user = "alice") => Path.Combine(Folder, user, "Maildir");

    /// <summary>Locks of their own: a separate open of the lock file, as another server process would have.</summary>
    public MaildirLocks NewLocks()
    {
        var locks = new MaildirLocks(Options);
        _locks.Add(locks);
        return locks;
    }

    public MaildirMaildrop CreateMaildrop() => CreateMaildrop(Locks);

    public MaildirMaildrop CreateMaildrop(MaildirLocks locks) => new(Options, locks, NullLogger<MaildirMaildrop>.Instance);

    /// <summary>A maildrop that keeps its listings in <paramref name="cache"/>, as the host's do.</summary>
    public MaildirMaildrop CreateMaildrop(MaildirListingCache cache) =>
        new(Options, Locks, NullLogger<MaildirMaildrop>.Instance, cache);

    public async Task<MaildirMaildrop> OpenAsync(string user = "alice")
    {
        var maildrop = CreateMaildrop();
        Assert.Equal(MaildropOpenStatus.Opened, await maildrop.OpenAsync(user, CancellationToken.None));
        return maildrop;
    }

    /// <summary>Writes a message as another Maildir tool would, straight into cur/ or new/.</summary>
    public string Put(string subfolder, string fileName, byte[] content, string user = "alice")
    {
        var directory = Path.Combine(Root(user), subfolder);
        Directory.CreateDirectory(Path.Combine(Root(user), "cur"));
        Directory.CreateDirectory(Path.Combine(Root(user), "new"));
        Directory.CreateDirectory(Path.Combine(Root(user), "tmp"));
        var path = Path.Combine(directory, fileName);
        File.WriteAllBytes(path, content);
        return path;
    }

    public string[] FilesIn(string subfolder, string user = "alice") =>
        Directory.GetFileSystemEntries(Path.Combine(Root(user), subfolder)).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray()!;

    public void Dispose()
    {
        foreach (var locks in _locks)
        {
            locks.Dispose();
        }

        File.Delete(LockFile);
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }
}

internal static class Repository
{
    /// <summary>The byte-exact corpus: <c>tests/corpus/messages</c> in the repository holding <c>Pop3.Kestrel.sln</c>.</summary>
    public static string CorpusMessages()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Pop3.Kestrel.sln")))
            {
                var corpus = Path.GetFullPath(Path.Combine(directory.FullName, "tests", "corpus", "messages"));
                Assert.True(Directory.Exists(corpus), $"The byte-exact corpus is missing: expected it at {corpus}.");
                return corpus;
            }
        }

        Assert.Fail($"No Pop3.Kestrel.sln above {AppContext.BaseDirectory}, so the corpus cannot be located.");
        return "";
    }
}
