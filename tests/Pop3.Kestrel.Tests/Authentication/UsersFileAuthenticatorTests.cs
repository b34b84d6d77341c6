using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Pop3.Kestrel.Authentication;
using Pop3.Kestrel.UsersFile;

namespace Pop3.Kestrel.Tests.Authentication;

public sealed class UsersFileAuthenticatorTests : IDisposable
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(15);

    private static readonly Pop3ConnectionInfo Connection = new("conn-1", new IPEndPoint(IPAddress.Loopback, 50000), new IPEndPoint(IPAddress.Loopback, 110));

    private const string AliceLine = "alice:{SHA512-CRYPT}$6$c03i3mUiwIRNrdx5$RVXR.5rv46CrqndY2SxZFMbG1/FbTakavO9GJTkdiZ30U71GnNbHS0f9xwKhMmN5VO77n4P7MTXpAphmZKGhr/";

    private readonly TempDirectory _directory = new();
    private readonly ListLogger<UsersFileAuthenticator> _logger = new();

    private string UsersPath => _directory.File("users");

    public void Dispose() => _directory.Dispose();

    private UsersFileAuthenticator Create(string contents)
    {
        File.WriteAllText(UsersPath, contents);
        return new UsersFileAuthenticator(Options.Create(new Pop3UsersFileOptions { UsersFile = UsersPath }), _logger);
    }

    private static ValueTask<Pop3AuthenticationResult> Login(UsersFileAuthenticator authenticator, string user, string password) =>
        authenticator.AuthenticateAsync(user, password, Connection, CancellationToken.None);

    /// <summary>Replaces the file atomically, as the authenticator recommends (write, then rename).</summary>
    private void Replace(string contents)
    {
        var temporary = _directory.File("users.tmp");
        File.WriteAllText(temporary, contents);
        File.Move(temporary, UsersPath, overwrite: true);
    }

    [Fact]
    public async Task Right_password_succeeds_with_the_user_as_mailbox()
    {
        using var authenticator = Create(AliceLine + "\n");

        var result = await Login(authenticator, "alice", DovecotFixtures.Password);

        Assert.Equal(Pop3AuthenticationResult.Success("alice"), result);
    }

    [Fact]
    public async Task Unknown_user_and_wrong_password_give_identical_results()
    {
        using var authenticator = Create(AliceLine + "\n");

        var wrongPassword = await Login(authenticator, "alice", "wrong");
        var unknownUser = await Login(authenticator, "mallory", DovecotFixtures.Password);

        Assert.Equal(Pop3AuthenticationResult.Failure, wrongPassword);
        Assert.Equal(wrongPassword, unknownUser);
    }

    [Fact]
    public void Unknown_user_is_checked_against_a_hash_of_the_most_used_scheme()
    {
        using var authenticator = Create(
            """
            alice:{PLAIN}a
            bob:{PBKDF2}$1$7mnhyLY2mA4iQVVV$5000$855b15405465b0aba0e14ef06daa70bc2ccfc427
            carol:{PBKDF2}$1$1EB1QEwyziJck9pL$1000$768dd9803ff724b0a2fb6e8cfef344f4da1820c1
            """);

        Assert.Equal("PBKDF2", authenticator.StandInScheme);
    }

    [Fact]
    public async Task Unknown_user_of_a_file_with_only_that_password_still_fails()
    {
        // The stand-in for unknown users is a real entry: its password must not let anyone else in.
        using var authenticator = Create("alice:{PLAIN}shared\n");

        Assert.Equal(Pop3AuthenticationResult.Failure, await Login(authenticator, "mallory", "shared"));
        Assert.Equal(Pop3AuthenticationResult.Success("alice"), await Login(authenticator, "alice", "shared"));
    }

    [Fact]
    public async Task User_with_nologin_fails_even_with_the_right_password()
    {
        using var authenticator = Create("alice:{PLAIN}pw::::::nologin\n");

        Assert.Equal(Pop3AuthenticationResult.Failure, await Login(authenticator, "alice", "pw"));
        Assert.False(authenticator.TryGetPlaintextSecret("alice", out _));
    }

    [Fact]
    public async Task File_rewritten_while_running_is_read_again_by_the_watcher()
    {
        using var authenticator = Create(AliceLine + "\n");
        var reloaded = new TaskCompletionSource<Pop3UsersFile>(TaskCreationOptions.RunContinuationsAsynchronously);
        authenticator.Reloaded += users =>
        {
            if (users.TryGetUser("bob", out _))
            {
                reloaded.TrySetResult(users);
            }
        };

        Replace(AliceLine + "\nbob:{PLAIN}bobs-password\n");

        // Only the watcher can make this happen: nothing has asked the authenticator anything yet.
        var users = await reloaded.Task.WaitAsync(Deadline);
        Assert.Equal(2, users.Count);
        Assert.Same(users, authenticator.Users);
        Assert.Equal(Pop3AuthenticationResult.Success("bob"), await Login(authenticator, "bob", "bobs-password"));
    }

    [Fact]
    public async Task File_rewritten_in_place_is_read_again_at_the_next_login_even_without_the_watcher()
    {
        using var authenticator = Create("alice:{PLAIN}old\n");

        File.WriteAllText(UsersPath, "alice:{PLAIN}new-password\n");

        // The login itself compares time stamp and size, whatever the watcher did or did not see.
        Assert.Equal(Pop3AuthenticationResult.Success("alice"), await Login(authenticator, "alice", "new-password"));
        Assert.Equal(Pop3AuthenticationResult.Failure, await Login(authenticator, "alice", "old"));
    }

    [Fact]
    public async Task Reload_that_cannot_read_the_file_keeps_the_previous_users()
    {
        using var authenticator = Create("alice:{PLAIN}pw\n");

        // An exclusive handle makes every other open of the file fail, as a read error would.
        using (var locked = new FileStream(UsersPath, FileMode.Open, FileAccess.ReadWrite, FileShare.None))
        {
            locked.SetLength(0);
            locked.Write("bob:{PLAIN}bobs-password\n"u8);
            locked.Flush();

            Assert.Equal(Pop3AuthenticationResult.Success("alice"), await Login(authenticator, "alice", "pw"));
            Assert.Equal(Pop3AuthenticationResult.Failure, await Login(authenticator, "bob", "bobs-password"));
            Assert.Contains(_logger.Entries, entry => entry.Level == LogLevel.Warning && entry.Message.Contains("keeping the 1 users read before", StringComparison.Ordinal));
        }

        Assert.Equal(Pop3AuthenticationResult.Success("bob"), await Login(authenticator, "bob", "bobs-password"));
    }

    [Fact]
    public async Task Deleted_file_keeps_the_previous_users()
    {
        using var authenticator = Create("alice:{PLAIN}pw\n");

        File.Delete(UsersPath);

        Assert.Equal(Pop3AuthenticationResult.Success("alice"), await Login(authenticator, "alice", "pw"));
    }

    [Fact]
    public void Bad_lines_are_logged_with_their_line_number_at_start()
    {
        using var authenticator = Create("alice:{PLAIN}pw\nbob:{MD5-CRYPT}$1$x$y\n");

        Assert.Equal(1, authenticator.Users.Count);
        Assert.Contains("Users file " + UsersPath + ", line 2: user 'bob': unknown password scheme 'MD5-CRYPT'; the line is skipped", _logger.Messages);
        Assert.Contains("Read 1 users from " + UsersPath + " (1 bad lines skipped)", _logger.Messages);
    }

    [Fact]
    public void Plaintext_secret_is_available_for_plain_entries_only()
    {
        using var authenticator = Create(AliceLine + "\nbob:{CLEAR}bobs-password\n");

        Assert.True(authenticator.TryGetPlaintextSecret("bob", out var secret));
        Assert.Equal("bobs-password", secret);
        Assert.False(authenticator.TryGetPlaintextSecret("alice", out _));
        Assert.False(authenticator.TryGetPlaintextSecret("mallory", out _));
    }

    [Fact]
    public void Scram_keys_and_cram_md5_context_are_available_for_their_schemes()
    {
        using var authenticator = Create(
            """
            alice:{SCRAM-SHA-256}4096,AZFguVH3pAhg0nAdjR8dCQ==,jb05VobxP5PdV/JwQbVInioXtN5oDc94qcJIwRwADHM=,3H0OXgpusdFAXoVHnyFTI97dJ+GYV98oVkdsnx7jYqw=
            bob:{CRAM-MD5}bac317689aa949d7a10c6f20c10c7e7ca3b1f813c7d26a272cd792c7cc684961
            carol:{PLAIN}Pop3-secret!
            """);

        Assert.True(authenticator.TryGetScramKeys("alice", out var keys));
        Assert.Equal(4096, keys.Iterations);
        Assert.False(authenticator.TryGetScramKeys("bob", out _));
        Assert.True(authenticator.TryGetCramMd5Context("bob", out var bobs));
        Assert.True(authenticator.TryGetCramMd5Context("carol", out var carols));
        Assert.Equal(bobs.ToArray(), carols.ToArray());
        Assert.False(authenticator.TryGetCramMd5Context("alice", out _));
        Assert.False(authenticator.TryGetCramMd5Context("mallory", out _));
    }
}
