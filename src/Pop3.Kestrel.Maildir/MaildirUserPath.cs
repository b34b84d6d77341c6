namespace Pop3.Kestrel.Maildir;

/// <summary>Maps a user name into the path template without letting the name leave its own directory.</summary>
internal static class MaildirUserPath
{
    private const int MaxUserLength = 255;

    /// <summary>
    /// True if <paramref name="user"/> can be one path segment as it is. Names are rejected rather than
    /// escaped: an escaping scheme would let two spellings reach one mailbox, and the authenticator
    /// already decided which names exist.
    /// </summary>
    public static bool IsSafe(string user)
    {
        if (user.Length is 0 or > MaxUserLength || user[0] == '.' || user.Contains("..", StringComparison.Ordinal))
        {
            return false;
        }

        foreach (var c in user)
        {
            // Control characters are not path separators, but they make paths that no operator can type or read in a log.
            if (c is '/' or '\\' or '\0' || char.IsControl(c))
            {
                return false;
            }

            // Windows would read "C:" as a drive and "a:b" as a stream.
            if (c == ':' && OperatingSystem.IsWindows())
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The full path of the Maildir of <paramref name="user"/>, or null if the name is not safe.</summary>
    public static string? Resolve(string template, string user) =>
        IsSafe(user)
            ? Path.GetFullPath(template.Replace(MaildirOptions.UserPlaceholder, user, StringComparison.Ordinal))
            : null;
}
