using Pop3.Kestrel.Maildir;
using Pop3.Server.Tests.Infrastructure;

namespace Pop3.Server.Tests.Crash;

/// <summary>
/// Two server processes over the same Maildirs: a mailbox logged in on one is in use on the other, and a
/// SIGKILLed server leaves nothing locked. Both find the shared lock file from the same path template.
/// </summary>
public sealed class MaildirLockAcrossProcessesTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "pop3-twoservers-" + Guid.NewGuid().ToString("N"));

    public MaildirLockAcrossProcessesTests()
    {
        Directory.CreateDirectory(Path.Combine(_root, "data"));
        File.WriteAllText(Path.Combine(_root, "users"), "alice:{PLAIN}secret\nbob:{PLAIN}secret\n");
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    [Trait("Category", "Crash")]
    [Trait("Category", "Slow")]
    public async Task A_mailbox_open_on_one_server_is_in_use_on_another_until_the_first_is_killed()
    {
        await using var first = await ServerProcess.StartAsync(_root);
        await using var second = await ServerProcess.StartAsync(_root);
        Assert.True(File.Exists(Path.Combine(_root, MaildirLocks.DefaultLockFileName)) || !MaildirLocks.SharedFileSupported);

        await using var onFirst = await RawPop3Client.ConnectAsync(first.EndPoint);
        await onFirst.LoginAsync();
        await using var onSecond = await RawPop3Client.ConnectAsync(second.EndPoint);
        await onSecond.ReadLineAsync();
        await onSecond.CommandAsync("USER alice");
        Assert.Equal("-ERR [IN-USE] Mailbox is locked by another session", await onSecond.CommandAsync("PASS secret"));

        // Another mailbox is free on the second server meanwhile.
        await using (var bob = await RawPop3Client.ConnectAsync(second.EndPoint))
        {
            await bob.LoginAsync("bob");
        }

        // No QUIT, no clean exit: the kernel drops the first server's locks with the process.
        first.Kill();
        await first.WaitForExitAsync();

        await onSecond.CommandAsync("USER alice");
        Assert.StartsWith("+OK Logged in", await onSecond.CommandAsync("PASS secret"));
    }
}
