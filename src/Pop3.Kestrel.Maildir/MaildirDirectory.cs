using System.ComponentModel;
using System.Runtime.InteropServices;

namespace Pop3.Kestrel.Maildir;

/// <summary>The file-system operations a Maildir needs beyond what <see cref="File"/> offers.</summary>
internal static partial class MaildirDirectory
{
    public const string Cur = "cur";
    public const string New = "new";
    public const string Tmp = "tmp";

    /// <summary>Only the owner may read mail.</summary>
    public const UnixFileMode PrivateDirectory = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    /// <summary>Only the owner may read mail.</summary>
    public const UnixFileMode PrivateFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>Creates <paramref name="root"/> and its cur/, new/ and tmp/ if missing, readable by the owner only.</summary>
    public static void Ensure(string root)
    {
        foreach (var sub in (ReadOnlySpan<string>)[Cur, New, Tmp])
        {
            var path = Path.Combine(root, sub);

            // At every login the folders exist: a stat is cheaper than a mkdir that fails with EEXIST and the stat after it.
            if (Directory.Exists(path))
            {
                continue;
            }

            if (OperatingSystem.IsWindows())
            {
                Directory.CreateDirectory(path);
            }
            else
            {
                Directory.CreateDirectory(path, PrivateDirectory);
            }
        }
    }

    /// <summary>
    /// Makes renames and unlinks in <paramref name="directory"/> durable. A file's own fsync does not cover
    /// its directory entry, so without this a crash can bring back a deleted message or lose a delivered one.
    /// </summary>
    public static void Sync(string directory)
    {
        // NTFS journals its metadata and Windows has no way to flush a directory.
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        // .NET refuses to open a directory as a file, so this goes to libc.
        var fd = Open(directory, 0 /* O_RDONLY */);
        if (fd < 0)
        {
            throw new IOException($"Could not open '{directory}' to sync it.", new Win32Exception(Marshal.GetLastPInvokeError()));
        }

        try
        {
            if (FSync(fd) < 0)
            {
                throw new IOException($"Could not sync '{directory}'.", new Win32Exception(Marshal.GetLastPInvokeError()));
            }
        }
        finally
        {
            _ = Close(fd);
        }
    }

    [DllImport("libc", EntryPoint = "open", SetLastError = true, CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true)]
    private static extern int Open(string path, int flags);

    [DllImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static extern int FSync(int fd);

    [DllImport("libc", EntryPoint = "close", SetLastError = true)]
    private static extern int Close(int fd);
}
