using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Pop3.Kestrel.Maildir;
using Pop3.Kestrel.Maildrops;

namespace Pop3.Kestrel.Maildir.Tests;

/// <summary>A folder of Maildirs on disk for one test, deleted afterwards. The path template is <c>&lt;folder&gt;/{user}/Maildir</c>.</summary>
internal sealed class TempMaildirs : IDisposable
{
    public TempMaildirs()
    {
        Folder = Path.Combine(Path.GetTempPath(), "pop3-kestrel-maildir-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Folder);
    }

    public string Folder { get; }

    public string Template => Path.Combine(Folder, MaildirOptions.UserPlaceholder, "Maildir");

    public string Root(string user = "alice") => Path.Combine(Folder, user, "Maildir");

    public MaildirMaildrop CreateMaildrop() =>
        new(Options.Create(new MaildirOptions { Path = Template }), NullLogger<MaildirMaildrop>.Instance);

    /// <summary>A maildrop that keeps its listings in <paramref name="cache"/>, as the host's do.</summary>
    public MaildirMaildrop CreateMaildrop(MaildirListingCache cache) =>
        new(Options.Create(new MaildirOptions { Path = Template }), NullLogger<MaildirMaildrop>.Instance, cache);

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
    /// <summary>The shared corpus: <c>../shared/corpus/messages</c> next to the repository holding <c>Pop3.Kestrel.sln</c>.</summary>
    public static string CorpusMessages()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Pop3.Kestrel.sln")))
            {
                var corpus = Path.GetFullPath(Path.Combine(directory.FullName, "..", "shared", "corpus", "messages"));
                Assert.True(Directory.Exists(corpus), $"The byte-exact corpus is missing: expected it at {corpus}.");
                return corpus;
            }
        }

        Assert.Fail($"No Pop3.Kestrel.sln above {AppContext.BaseDirectory}, so the corpus cannot be located.");
        return "";
    }
}
