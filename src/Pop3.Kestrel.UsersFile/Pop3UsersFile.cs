using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Pop3.Kestrel.UsersFile;

/// <summary>
/// A users file in Dovecot's passwd-file format, one user per line:
/// <c>user:{SCHEME}secret:uid:gid:gecos:home:shell:extra_fields</c>, everything after the password optional.
/// Blank lines and lines starting with <c>#</c> are ignored. A bad line (no colon, empty user, empty password,
/// unknown scheme, malformed hash, a user seen before) is logged with its line number, never with its secret,
/// and skipped: the other users still work. Of a repeated user the first line counts, as in Dovecot.
/// </summary>
/// <remarks>Immutable: a reload makes a new instance.</remarks>
internal sealed class Pop3UsersFile
{
    private readonly FrozenDictionary<string, Pop3UsersFileEntry> _users;

    private Pop3UsersFile(FrozenDictionary<string, Pop3UsersFileEntry> users, int badLineCount)
    {
        _users = users;
        BadLineCount = badLineCount;
    }

    /// <summary>A file with no users.</summary>
    public static Pop3UsersFile Empty { get; } = new(FrozenDictionary<string, Pop3UsersFileEntry>.Empty, 0);

    /// <summary>How many users were read.</summary>
    public int Count => _users.Count;

    /// <summary>How many lines were skipped as bad.</summary>
    public int BadLineCount { get; }

    /// <summary>The users, in no particular order.</summary>
    public IEnumerable<Pop3UsersFileEntry> Users => _users.Values;

    /// <summary>Reads and parses the file at <paramref name="path"/>, letting writers keep it open.</summary>
    /// <exception cref="IOException">The file cannot be read.</exception>
    /// <exception cref="UnauthorizedAccessException">The file may not be read.</exception>
    public static Pop3UsersFile Load(string path, ILogger? logger = null)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream, System.Text.Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        return Parse(reader, path, logger);
    }

    /// <summary>
    /// Parses users-file text. <paramref name="source"/> names the file in log lines.
    /// </summary>
    public static Pop3UsersFile Parse(TextReader reader, string source = "users file", ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(reader);
        logger ??= NullLogger.Instance;
        var users = new Dictionary<string, Pop3UsersFileEntry>(StringComparer.Ordinal);
        var bad = 0;
        var lineNumber = 0;
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line) || line.StartsWith('#'))
            {
                continue;
            }

            if (!TryParseLine(line, lineNumber, out var entry, out var reason))
            {
                bad++;
                UsersFileLog.BadLine(logger, source, lineNumber, reason);
                continue;
            }

            if (users.TryGetValue(entry.User, out var first))
            {
                bad++;
                UsersFileLog.BadLine(logger, source, lineNumber, $"user '{entry.User}' was already defined on line {first.LineNumber}");
                continue;
            }

            users.Add(entry.User, entry);
        }

        return new Pop3UsersFile(users.ToFrozenDictionary(StringComparer.Ordinal), bad);
    }

    /// <summary>Finds <paramref name="user"/> (ordinal, case-sensitive).</summary>
    public bool TryGetUser(string user, [NotNullWhen(true)] out Pop3UsersFileEntry? entry) => _users.TryGetValue(user, out entry);

    private static bool TryParseLine(string line, int lineNumber, [NotNullWhen(true)] out Pop3UsersFileEntry? entry, [NotNullWhen(false)] out string? reason)
    {
        entry = null;
        var fields = line.Split(':');
        if (fields.Length < 2)
        {
            reason = "no ':' after the user name";
            return false;
        }

        var user = fields[0];
        if (user.Length == 0)
        {
            reason = "the user name is empty";
            return false;
        }

        if (fields[1].Length == 0)
        {
            reason = $"user '{user}' has no password";
            return false;
        }

        if (!Pop3StoredPassword.TryParse(fields[1], out var password, out var error))
        {
            reason = $"user '{user}': {error}";
            return false;
        }

        // uid, gid, gecos, home, shell; then the extra fields, which may themselves contain ':'.
        var userdb = fields.Length > 2 ? fields[2..Math.Min(fields.Length, 7)] : [];
        var extra = fields.Length > 7 ? string.Join(':', fields[7..]) : string.Empty;
        entry = new Pop3UsersFileEntry(user, password, lineNumber, userdb, ParseExtraFields(extra));
        reason = null;
        return true;
    }

    private static FrozenDictionary<string, string> ParseExtraFields(string text)
    {
        if (text.Length == 0)
        {
            return FrozenDictionary<string, string>.Empty;
        }

        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var token in text.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var equals = token.IndexOf('=', StringComparison.Ordinal);
            if (equals < 0)
            {
                fields[token] = string.Empty;
            }
            else if (equals > 0)
            {
                fields[token[..equals]] = token[(equals + 1)..];
            }
        }

        return fields.ToFrozenDictionary(StringComparer.Ordinal);
    }
}
