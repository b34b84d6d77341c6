using System.Diagnostics;
using System.Runtime.InteropServices;
using Pop3.Kestrel.Maildrops;

namespace Pop3.Kestrel.Maildir.Tests;

public sealed class MaildirLockTests : IDisposable
{
    private static readonly CancellationToken None = CancellationToken.None;
    private readonly TempMaildirs _maildirs = new();

    public void Dispose() => _maildirs.Dispose();

    [Fact]
    public async Task Second_open_of_a_locked_mailbox_in_the_same_process_is_in_use()
    {
        await using var first = await _maildirs.OpenAsync();
        await using var second = _maildirs.CreateMaildrop();

        Assert.Equal(MaildropOpenStatus.InUse, await second.OpenAsync("alice", None));
    }

    [Fact]
    public async Task Lock_is_per_mailbox()
    {
        await using var alice = await _maildirs.OpenAsync("alice");
        await using var bob = await _maildirs.OpenAsync("bob");
    }

    [Fact]
    public async Task Dispose_releases_the_lock_so_a_failed_open_can_be_retried_on_the_same_instance()
    {
        var first = await _maildirs.OpenAsync();
        await using var second = _maildirs.CreateMaildrop();
        Assert.Equal(MaildropOpenStatus.InUse, await second.OpenAsync("alice", None));

        await first.DisposeAsync();

        Assert.Equal(MaildropOpenStatus.Opened, await second.OpenAsync("alice", None));
    }

    [Fact]
    public void Auto_locking_is_the_shared_file_on_linux_and_the_per_maildir_file_elsewhere() =>
        Assert.Equal(MaildirLocks.SharedFileSupported ? MaildirLocking.SharedFile : MaildirLocking.PerMaildir, _maildirs.Locks.Locking);

    [Fact]
    public async Task Locks_of_another_process_see_the_mailbox_in_use_until_the_first_session_releases_it()
    {
        var first = await _maildirs.OpenAsync();
        await using var other = _maildirs.CreateMaildrop(_maildirs.NewLocks());
        Assert.Equal(MaildropOpenStatus.InUse, await other.OpenAsync("alice", None));

        await first.DisposeAsync();

        Assert.Equal(MaildropOpenStatus.Opened, await other.OpenAsync("alice", None));

        // And the other way round: the first process now sees it in use.
        await using var again = _maildirs.CreateMaildrop();
        Assert.Equal(MaildropOpenStatus.InUse, await again.OpenAsync("alice", None));
    }

    [Fact]
    public async Task Closing_the_locks_of_a_process_frees_every_mailbox_it_held()
    {
        var dying = _maildirs.NewLocks();
        var held = _maildirs.CreateMaildrop(dying);
        Assert.Equal(MaildropOpenStatus.Opened, await held.OpenAsync("alice", None));

        // What the kernel does when the process dies: the lock file is closed with the session still open.
        dying.Dispose();

        await using var next = await _maildirs.OpenAsync();
        await held.DisposeAsync();
        await using var third = _maildirs.CreateMaildrop(_maildirs.NewLocks());
        Assert.Equal(MaildropOpenStatus.InUse, await third.OpenAsync("alice", None));
    }

    [Fact]
    public async Task Different_mailboxes_never_conflict_between_processes()
    {
        var other = _maildirs.NewLocks();
        var maildrops = new List<MaildirMaildrop>();
        try
        {
            for (var i = 0; i < 50; i++)
            {
                var maildrop = _maildirs.CreateMaildrop(i % 2 == 0 ? _maildirs.Locks : other);
                maildrops.Add(maildrop);
                Assert.Equal(MaildropOpenStatus.Opened, await maildrop.OpenAsync("user" + i, None));
            }
        }
        finally
        {
            foreach (var maildrop in maildrops)
            {
                await maildrop.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task Two_spellings_of_one_maildir_through_a_symbolic_link_share_one_lock()
    {
        await using var first = await _maildirs.OpenAsync();
        var link = Path.Combine(_maildirs.Folder, "alias");
        Directory.CreateSymbolicLink(link, Path.Combine(_maildirs.Folder, "alice"));

        await using var second = _maildirs.CreateMaildrop();

        Assert.Equal(MaildropOpenStatus.InUse, await second.OpenAsync("alias", None));
    }

    [Fact]
    public async Task Sessions_hold_no_file_descriptor_each()
    {
        if (!OperatingSystem.IsLinux())
        {
            return; // /proc/self/fd, and the shared lock file, are Linux's.
        }

        const int Sessions = 200;
        var maildrops = new List<MaildirMaildrop>(Sessions);
        await using (var warmUp = await _maildirs.OpenAsync("warm-up"))
        {
            // The first open loads what every open needs; only the growth after it is counted.
        }

        var before = Directory.GetFileSystemEntries("/proc/self/fd").Length;
        try
        {
            for (var i = 0; i < Sessions; i++)
            {
                maildrops.Add(await _maildirs.OpenAsync("user" + i));
            }

            var after = Directory.GetFileSystemEntries("/proc/self/fd").Length;

            // Other tests run in parallel in this process and open files of their own: allow them some.
            Assert.True(after - before < Sessions / 4, $"{Sessions} open maildrops took the process from {before} to {after} file descriptors");
        }
        finally
        {
            foreach (var maildrop in maildrops)
            {
                await maildrop.DisposeAsync();
            }
        }
    }

    [Fact]
    [Trait("Category", "Interop")]
    public async Task Lock_byte_held_by_another_process_is_in_use_until_that_process_is_killed()
    {
        Skip.Unless(MaildirLocks.SharedFileSupported, "needs the shared lock file: Linux on x64 or arm64");

        await using (await _maildirs.OpenAsync())
        {
            // Creates the Maildir; released again here.
        }

        var offset = MaildirLocks.OffsetOf(_maildirs.Root());
        using var holder = StartPython(
            "import fcntl, struct, sys\n" +
            "f = open(sys.argv[1], 'r+')\n" +
            "fcntl.fcntl(f, fcntl.F_OFD_SETLK, struct.pack('hhqqi4x', fcntl.F_WRLCK, 0, int(sys.argv[2]), 1, 0))\n" +
            "print('locked', flush=True)\n" +
            "sys.stdin.read()\n",
            _maildirs.LockFile,
            offset.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await AssertInUseUntilKilledAsync(holder, _maildirs);
    }

    [Fact]
    [Trait("Category", "Interop")]
    public async Task Per_maildir_lock_held_by_another_process_is_in_use_until_that_process_is_killed()
    {
        using var maildirs = new TempMaildirs(MaildirLocking.PerMaildir);
        await AssertOldVersionFlockIsRespectedAsync(maildirs);
    }

    [Fact]
    [Trait("Category", "Interop")]
    public async Task Both_locks_respect_the_flock_of_an_older_server_version()
    {
        Skip.Unless(MaildirLocks.SharedFileSupported, "needs the shared lock file: Linux on x64 or arm64");

        using var maildirs = new TempMaildirs(MaildirLocking.Both);
        await AssertOldVersionFlockIsRespectedAsync(maildirs);
    }

    [Fact]
    public async Task Both_locks_exclude_shared_file_servers()
    {
        Skip.Unless(MaildirLocks.SharedFileSupported, "needs the shared lock file: Linux on x64 or arm64");

        using var both = new TempMaildirs(MaildirLocking.Both);
        await using var first = await both.OpenAsync();
        var sharedOnly = new MaildirLocks(Microsoft.Extensions.Options.Options.Create(
            new MaildirOptions { Path = both.Template, LockFile = both.LockFile, Locking = MaildirLocking.SharedFile }));
        try
        {
            await using var second = both.CreateMaildrop(sharedOnly);
            Assert.Equal(MaildropOpenStatus.InUse, await second.OpenAsync("alice", None));
        }
        finally
        {
            sharedOnly.Dispose();
        }
    }

    [Fact]
    public void Struct_flock_has_the_layout_of_linux_x64_and_arm64()
    {
        Assert.Equal(32, Marshal.SizeOf<MaildirLocks.Flock>());
        Assert.Equal(8, (int)Marshal.OffsetOf<MaildirLocks.Flock>(nameof(MaildirLocks.Flock.Start)));
        Assert.Equal(16, (int)Marshal.OffsetOf<MaildirLocks.Flock>(nameof(MaildirLocks.Flock.Length)));
        Assert.Equal(24, (int)Marshal.OffsetOf<MaildirLocks.Flock>(nameof(MaildirLocks.Flock.Pid)));
    }

    [Fact]
    [Trait("Category", "Interop")]
    public async Task Lock_byte_is_the_maildirs_inode_number_whatever_the_spelling()
    {
        Skip.Unless(MaildirLocks.SharedFileSupported, "needs the shared lock file: Linux on x64 or arm64");

        // Servers of two versions sharing Maildirs exclude each other only while the byte is chosen the same way.
        await using (await _maildirs.OpenAsync())
        {
        }

        var inode = StatInode(_maildirs.Root());
        Assert.Equal(inode, MaildirLocks.OffsetOf(_maildirs.Root()));
        Assert.Equal(inode, MaildirLocks.OffsetOf(_maildirs.Root() + "/../Maildir/"));
        Assert.Throws<IOException>(() => MaildirLocks.OffsetOf(Path.Combine(_maildirs.Folder, "nobody", "Maildir")));
    }

    private static long StatInode(string path)
    {
        using var stat = Process.Start(new ProcessStartInfo(ExternalProgram.Stat.Locate(), ["-c", "%i", path]) { RedirectStandardOutput = true })!;
        var text = stat.StandardOutput.ReadToEnd().Trim();
        stat.WaitForExit();
        return long.Parse(text, System.Globalization.CultureInfo.InvariantCulture);
    }

    private static async Task AssertOldVersionFlockIsRespectedAsync(TempMaildirs maildirs)
    {
        await using (await maildirs.OpenAsync())
        {
            // Creates the Maildir and its lock file; released again here.
        }

        using var holder = StartPython(
            "import fcntl, sys\n" +
            "f = open(sys.argv[1], 'r+')\n" +
            "fcntl.flock(f, fcntl.LOCK_EX)\n" +
            "print('locked', flush=True)\n" +
            "sys.stdin.read()\n",
            Path.Combine(maildirs.Root(), MaildirMaildrop.LockFileName));
        await AssertInUseUntilKilledAsync(holder, maildirs);
    }

    private static Process StartPython(string script, params string[] arguments)
    {
        var start = new ProcessStartInfo(ExternalProgram.Python3.Locate())
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(script);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        return Process.Start(start) ?? throw new InvalidOperationException("python3 did not start.");
    }

    private static async Task AssertInUseUntilKilledAsync(Process holder, TempMaildirs maildirs)
    {
        try
        {
            Assert.Equal("locked", await holder.StandardOutput.ReadLineAsync());
            await using var maildrop = maildirs.CreateMaildrop();

            Assert.Equal(MaildropOpenStatus.InUse, await maildrop.OpenAsync("alice", None));

            // No unlock, no clean exit: the kernel must drop the lock with the process.
            holder.Kill(entireProcessTree: true);
            await holder.WaitForExitAsync();

            Assert.Equal(MaildropOpenStatus.Opened, await maildrop.OpenAsync("alice", None));
        }
        finally
        {
            if (!holder.HasExited)
            {
                holder.Kill(entireProcessTree: true);
            }
        }
    }
}
