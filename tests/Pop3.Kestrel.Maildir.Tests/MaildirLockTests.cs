using System.Diagnostics;
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
    public async Task Lock_held_by_another_process_is_in_use_until_that_process_is_killed()
    {
        await using (await _maildirs.OpenAsync())
        {
            // Creates the Maildir and its lock file; released again here.
        }

        var lockFile = Path.Combine(_maildirs.Root(), MaildirMaildrop.LockFileName);
        var start = new ProcessStartInfo("python3")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(
            "import fcntl, sys\n" +
            "f = open(sys.argv[1], 'r+')\n" +
            "fcntl.flock(f, fcntl.LOCK_EX)\n" +
            "print('locked', flush=True)\n" +
            "sys.stdin.read()\n");
        start.ArgumentList.Add(lockFile);

        using var holder = Process.Start(start) ?? throw new InvalidOperationException("python3 did not start.");
        try
        {
            Assert.Equal("locked", await holder.StandardOutput.ReadLineAsync());
            await using var maildrop = _maildirs.CreateMaildrop();

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
