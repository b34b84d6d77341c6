using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.ComponentModel;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Options;
using Microsoft.Win32.SafeHandles;

namespace Pop3.Kestrel.Maildir;

/// <summary>
/// The Maildir locks of one process: which session holds which Maildir, so two sessions never share one, whether
/// they run in this process or in another server process serving the same Maildirs. Taking a lock never waits.
/// </summary>
/// <remarks>
/// <para>
/// <see cref="MaildirLocking.SharedFile"/> (Linux): the process holds one lock file open and locks one byte of it
/// per Maildir with an open-file-description lock (<c>fcntl(F_OFD_SETLK)</c>), so a session costs no file
/// descriptor. The byte is the inode number of the Maildir's directory (see <see cref="OffsetOf"/>). Two processes (two opens
/// of the file) conflict on it; the kernel drops every lock of the process when it dies. Locks taken through one
/// open file description never conflict with each other, so within the process a table of held bytes decides.
/// Two Maildirs on one file system never share a byte; two on different file systems served through one lock file
/// may (equal inode numbers), and then exclude each other: a spurious IN-USE, never shared access.
/// </para>
/// <para>
/// <see cref="MaildirLocking.PerMaildir"/>: the session holds <c>pop3-kestrel.lock</c> in the Maildir open with
/// <see cref="FileShare.None"/>, which .NET turns into <c>flock(LOCK_EX|LOCK_NB)</c> on Unix: what earlier
/// versions did, and what other operating systems still do.
/// </para>
/// </remarks>
internal sealed partial class MaildirLocks : IDisposable
{
    /// <summary>The lock file's name when <see cref="MaildirOptions.LockFile"/> is not set. A user name cannot start with '.', so no Maildir is called so.</summary>
    public const string DefaultLockFileName = ".pop3-kestrel.locks";

    private const int EAGAIN = 11;
    private const int EACCES = 13;
    private const int EINVAL = 22;
    private const int F_OFD_GETLK = 36;
    private const int F_OFD_SETLK = 37;
    private const short F_WRLCK = 1;
    private const short F_UNLCK = 2;
    private const int O_RDWR = 0x2;
    private const int O_CREAT = 0x40;

    /// <summary>Not inherited by child processes: a child holding the description would keep every lock alive after we die.</summary>
    private const int O_CLOEXEC = 0x80000;

    private readonly ConcurrentDictionary<long, byte> _held = new();
    private readonly Lock _opening = new();
    private readonly string? _origin;
    private SafeFileHandle? _file;

    /// <summary>
    /// Opens the lock file if the locking needs it, creating the file (and its directory, when it was named by
    /// <see cref="MaildirOptions.LockFile"/>). When the file is derived from the path template and its directory
    /// does not exist yet, the file is opened at the first lock instead: creating the Maildir root at start-up
    /// would hide a storage that is not mounted, which <c>/readyz</c> reports.
    /// </summary>
    /// <exception cref="InvalidOperationException">The lock file cannot be opened or locked; the message names the setting.</exception>
    public MaildirLocks(IOptions<MaildirOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var value = options.Value;
        Locking = value.Locking is MaildirLocking.Auto
            ? SharedFileSupported ? MaildirLocking.SharedFile : MaildirLocking.PerMaildir
            : value.Locking;
        if (Locking is MaildirLocking.PerMaildir)
        {
            return;
        }

        var derived = string.IsNullOrWhiteSpace(value.LockFile);
        LockFile = derived ? DefaultLockFile(value.Path) : Path.GetFullPath(value.LockFile!);
        _origin = derived
            ? $"derived from {MaildirOptions.SectionName}:Path '{value.Path}'"
            : $"{MaildirOptions.SectionName}:LockFile";
        if (!derived || Directory.Exists(Path.GetDirectoryName(LockFile)))
        {
            _file = Open();
        }
    }

    /// <summary>True where <see cref="MaildirLocking.SharedFile"/> works: Linux on x64 or arm64, whose <c>struct flock</c> layout this class knows.</summary>
    public static bool SharedFileSupported =>
        OperatingSystem.IsLinux() && RuntimeInformation.ProcessArchitecture is Architecture.X64 or Architecture.Arm64;

    /// <summary>The locking in effect (never <see cref="MaildirLocking.Auto"/>).</summary>
    public MaildirLocking Locking { get; }

    /// <summary>The full path of the shared lock file, or null with <see cref="MaildirLocking.PerMaildir"/>.</summary>
    public string? LockFile { get; }

    /// <summary>
    /// <see cref="DefaultLockFileName"/> in the directory of <paramref name="template"/>'s fixed part (what comes before
    /// its first '{'), made absolute: the same for every process configured with the same template.
    /// </summary>
    public static string DefaultLockFile(string template)
    {
        ArgumentNullException.ThrowIfNull(template);
        var brace = template.IndexOf('{', StringComparison.Ordinal);
        var fixedPart = brace < 0 ? template : template[..brace];

        // "x" stands for whatever the placeholder becomes, so "/var/mail/" and "/var/mail/u" both give "/var/mail".
        var directory = Path.GetDirectoryName(Path.GetFullPath(fixedPart + "x")) ?? Path.GetPathRoot(Path.GetFullPath(fixedPart))!;
        return Path.Combine(directory, DefaultLockFileName);
    }

    /// <summary>
    /// Locks the Maildir at <paramref name="root"/> (which must exist) for the caller until the returned lock is
    /// disposed, or returns null at once if another session holds it.
    /// </summary>
    /// <exception cref="IOException">The lock could not be taken for another reason than a conflict.</exception>
    internal IDisposable? TryAcquire(string root)
    {
        switch (Locking)
        {
            case MaildirLocking.PerMaildir:
                return TryTakeFileLock(root);

            case MaildirLocking.SharedFile:
                return TryTakeRange(root);

            default:
                var range = TryTakeRange(root);
                if (range is null)
                {
                    return null;
                }

                try
                {
                    var file = TryTakeFileLock(root);
                    if (file is null)
                    {
                        range.Dispose();
                        return null;
                    }

                    return new BothLocks(range, file);
                }
                catch
                {
                    range.Dispose();
                    throw;
                }
        }
    }

    /// <summary>Closes the lock file, which drops every lock this process still holds on it.</summary>
    public void Dispose() => _file?.Dispose();

    /// <summary>
    /// The byte of the lock file that stands for the Maildir at <paramref name="root"/>: its directory's inode number
    /// (low 63 bits), from one <c>statx</c>. Every spelling of the Maildir (symbolic links, bind mounts, another NFS
    /// client) names the same inode, as flock on it did; a realpath walk would cost two system calls per path
    /// component at every login and still miss bind mounts.
    /// </summary>
    internal static long OffsetOf(string root)
    {
        Span<byte> buffer = stackalloc byte[StatxSize];
        if (Statx(AtFdCwd, root, 0, StatxIno, ref MemoryMarshal.GetReference(buffer)) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw new IOException($"Could not stat '{root}': {new Win32Exception(errno).Message}", errno);
        }

        // 63 bits: l_start is a signed off_t, and one byte at 2^63-1 still ends at OFF_MAX.
        return (long)(BinaryPrimitives.ReadUInt64LittleEndian(buffer[StatxInoOffset..]) & long.MaxValue);
    }

    private RangeLock? TryTakeRange(string root)
    {
        var offset = OffsetOf(root);

        // Claimed here first: the kernel would grant this process's own byte a second time.
        if (!_held.TryAdd(offset, 0))
        {
            return null;
        }

        try
        {
            var request = new Flock { Type = F_WRLCK, Start = offset, Length = 1 };
            if (Fcntl(OpenedFile(), F_OFD_SETLK, ref request) == 0)
            {
                return new RangeLock(this, offset);
            }

            var errno = Marshal.GetLastPInvokeError();
            if (errno is EAGAIN or EACCES)
            {
                _held.TryRemove(offset, out _);
                return null;
            }

            throw new IOException($"Could not lock '{root}' in '{LockFile}': {new Win32Exception(errno).Message}", errno);
        }
        catch
        {
            _held.TryRemove(offset, out _);
            throw;
        }
    }

    private void Release(long offset)
    {
        try
        {
            var request = new Flock { Type = F_UNLCK, Start = offset, Length = 1 };

            // A failed unlock leaves the byte locked by this description: other processes keep seeing the Maildir in
            // use until the next session here takes and releases it again, which is never shared access.
            _ = Fcntl(_file!, F_OFD_SETLK, ref request);
        }
        catch (ObjectDisposedException)
        {
            // The lock file is closed, and with it every lock on it.
        }

        // Only after the unlock: a session here taking the byte in between would otherwise lose it to our unlock.
        _held.TryRemove(offset, out _);
    }

    private SafeFileHandle OpenedFile()
    {
        if (Volatile.Read(ref _file) is { } file)
        {
            return file;
        }

        lock (_opening)
        {
            try
            {
                return _file ??= Open();
            }
            catch (InvalidOperationException e)
            {
                // At a login, unlike at start-up, this fails the one login (as Unavailable), not the server.
                throw new IOException(e.Message, e.InnerException);
            }
        }
    }

    private SafeFileHandle Open()
    {
        try
        {
            return OpenLockFile(LockFile!);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException(
                $"{MaildirOptions.SectionName}:LockFile: cannot use the lock file '{LockFile}' ({_origin}): {e.Message} " +
                $"Set {MaildirOptions.SectionName}:LockFile to a file that every server process serving these Maildirs can create and open, " +
                $"or {MaildirOptions.SectionName}:Locking=PerMaildir.",
                e);
        }
    }

    private static SafeFileHandle OpenLockFile(string path)
    {
        if (!SharedFileSupported)
        {
            throw new PlatformNotSupportedException("Shared-file Maildir locks need Linux on x64 or arm64.");
        }

        if (Path.GetDirectoryName(path) is { Length: > 0 } directory && !Directory.Exists(directory) && !OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(directory, MaildirDirectory.PrivateDirectory);
        }

        var fd = Open(path, O_RDWR | O_CREAT | O_CLOEXEC, (int)MaildirDirectory.PrivateFile);
        if (fd < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw new IOException(new Win32Exception(errno).Message, errno);
        }

        var file = new SafeFileHandle(fd, ownsHandle: true);

        // Fails now, not at the first login, where statx is missing (Linux before 4.11, glibc before 2.28).
        try
        {
            _ = OffsetOf(path);
        }
        catch (EntryPointNotFoundException e)
        {
            file.Dispose();
            throw new IOException("this C library has no statx (glibc 2.28 or later needed).", e);
        }
        catch (IOException)
        {
            file.Dispose();
            throw;
        }

        // Fails now, not at the first login, where OFD locks are missing (Linux before 3.15) or the file system refuses them.
        var probe = new Flock { Type = F_WRLCK, Start = 0, Length = 1 };
        if (Fcntl(file, F_OFD_GETLK, ref probe) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            file.Dispose();
            throw new IOException(
                errno == EINVAL ? "this kernel has no open-file-description locks (Linux 3.15 or later needed)." : new Win32Exception(errno).Message,
                errno);
        }

        return file;
    }

    private static FileStream? TryTakeFileLock(string root)
    {
        var lockOptions = new FileStreamOptions
        {
            Mode = FileMode.OpenOrCreate,
            Access = FileAccess.ReadWrite,
            Share = FileShare.None,
            BufferSize = 0,
        };
        if (!OperatingSystem.IsWindows())
        {
            lockOptions.UnixCreateMode = MaildirDirectory.PrivateFile;
        }

        try
        {
            return new FileStream(Path.Combine(root, MaildirMaildrop.LockFileName), lockOptions);
        }
        catch (IOException e) when (IsLockConflict(e))
        {
            return null;
        }
    }

    /// <summary>EWOULDBLOCK from flock on Linux (11) and BSD/macOS (35); a sharing or lock violation on Windows.</summary>
    private static bool IsLockConflict(IOException e) =>
        e is not (FileNotFoundException or DirectoryNotFoundException or PathTooLongException)
        && e.HResult is 11 or 35 or unchecked((int)0x80070020) or unchecked((int)0x80070021);

    /// <summary>
    /// <c>struct flock</c> of Linux x64 and arm64 (both LP64, both the generic layout): two shorts, two 64-bit
    /// <c>off_t</c> at 8 and 16, <c>pid_t</c> at 24, 32 bytes. <c>l_pid</c> must be 0 for OFD locks.
    /// </summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct Flock
    {
        public short Type;
        public short Whence;
        public long Start;
        public long Length;
        public int Pid;
    }

    // fcntl and open are variadic; passing the extra argument as a fixed one is the same call on Linux x64 and
    // arm64 (not on Apple arm64, which this class never runs on).
    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    private static partial int Fcntl(SafeFileHandle fd, int command, ref Flock request);

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags, int mode);

    // struct statx is the same on every Linux architecture: 256 bytes, stx_ino a little-endian u64 at 32 on x64 and arm64.
    private const int AtFdCwd = -100;
    private const uint StatxIno = 0x100;
    private const int StatxSize = 256;
    private const int StatxInoOffset = 32;

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Statx(int directoryFd, string path, int flags, uint mask, ref byte statx);

    private sealed class RangeLock(MaildirLocks owner, long offset) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                owner.Release(offset);
            }
        }
    }

    private sealed class BothLocks(IDisposable range, IDisposable file) : IDisposable
    {
        public void Dispose()
        {
            file.Dispose();
            range.Dispose();
        }
    }
}
