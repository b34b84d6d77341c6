using Microsoft.Extensions.Options;
using Pop3.Kestrel.Diagnostics;
using Pop3.Kestrel.Maildrops;

namespace Pop3.Kestrel.Maildir;

/// <summary>
/// For <c>/readyz</c>: the directory that holds the users' Maildirs (the part of <c>Pop3:Maildir:Path</c>
/// before <c>{user}</c>) exists and can be listed. Says nothing when another maildrop is in use.
/// </summary>
internal sealed class MaildirBackendProbe(IMaildrop maildrop, IOptions<MaildirOptions> options) : IPop3BackendProbe
{
    public ValueTask<string?> ProbeAsync(CancellationToken cancellationToken)
    {
        if (maildrop is not MaildirMaildrop)
        {
            return ValueTask.FromResult<string?>(null);
        }

        var template = options.Value.Path;
        var beforeUser = template[..template.IndexOf(MaildirOptions.UserPlaceholder, StringComparison.Ordinal)];
        var root = Path.GetDirectoryName(Path.GetFullPath(beforeUser + "x")) ?? "/";
        try
        {
            using var entries = Directory.EnumerateFileSystemEntries(root).GetEnumerator();
            entries.MoveNext();
            return ValueTask.FromResult<string?>(null);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return ValueTask.FromResult<string?>($"Maildir root {root} ({MaildirOptions.SectionName}:Path): {e.GetType().Name}");
        }
    }
}
