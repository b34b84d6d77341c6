using Microsoft.Extensions.Logging;
using Pop3.Kestrel.Authentication;
using Pop3.Kestrel.UsersFile;

namespace Pop3.Kestrel.Tests.Authentication;

public sealed class Pop3UsersFileTests
{
    private const string AliceHash = "{SHA512-CRYPT}$6$c03i3mUiwIRNrdx5$RVXR.5rv46CrqndY2SxZFMbG1/FbTakavO9GJTkdiZ30U71GnNbHS0f9xwKhMmN5VO77n4P7MTXpAphmZKGhr/";

    private static Pop3UsersFile Parse(string text, ListLogger<Pop3UsersFile>? logger = null) =>
        Pop3UsersFile.Parse(new StringReader(text), "users", logger);

    [Fact]
    public void Bad_lines_are_reported_with_their_line_number_and_skipped_while_the_other_users_still_work()
    {
        var logger = new ListLogger<Pop3UsersFile>();
        var file = Parse(
            $"""
            # users of the test
            alice:{AliceHash}
            no-colon-here
            :{"{PLAIN}"}orphan-secret
            bob:{"{NOPE}"}bobs-secret
            carol:{"{SHA512-CRYPT}"}$6$salt$carols-broken-hash
            dave:
            alice:{"{PLAIN}"}second-alice-secret

            erin:{"{PLAIN}"}erins-secret
            """,
            logger);

        Assert.Equal(2, file.Count);
        Assert.Equal(6, file.BadLineCount);
        Assert.True(file.TryGetUser("alice", out var alice));
        Assert.True(alice.Password.Verify(DovecotFixtures.Password));
        Assert.Equal(2, alice.LineNumber);
        Assert.True(file.TryGetUser("erin", out var erin));
        Assert.True(erin.Password.Verify("erins-secret"));
        Assert.False(file.TryGetUser("bob", out _));
        Assert.False(file.TryGetUser("carol", out _));
        Assert.False(file.TryGetUser("dave", out _));

        var warnings = logger.Entries.Where(entry => entry.Level == LogLevel.Warning).Select(entry => entry.Message).ToArray();
        Assert.Collection(
            warnings,
            message => Assert.Equal("Users file users, line 3: no ':' after the user name; the line is skipped", message),
            message => Assert.Equal("Users file users, line 4: the user name is empty; the line is skipped", message),
            message => Assert.Equal("Users file users, line 5: user 'bob': unknown password scheme 'NOPE'; the line is skipped", message),
            message => Assert.StartsWith("Users file users, line 6: user 'carol': ", message, StringComparison.Ordinal),
            message => Assert.Equal("Users file users, line 7: user 'dave' has no password; the line is skipped", message),
            message => Assert.Equal("Users file users, line 8: user 'alice' was already defined on line 2; the line is skipped", message));
    }

    [Fact]
    public void Secrets_never_appear_in_the_log()
    {
        var logger = new ListLogger<Pop3UsersFile>();
        Parse(
            """
            bob:{NOPE}bobs-secret
            carol:{SHA512-CRYPT}$6$salt$carols-broken-hash
            dan:{hunter2 typed in braces}x
            eve:{PBKDF2}$1$salt$5000$eves-hex
            """,
            logger);

        Assert.Equal(4, logger.Entries.Count);
        foreach (var message in logger.Messages)
        {
            Assert.DoesNotContain("secret", message, StringComparison.Ordinal);
            Assert.DoesNotContain("carols-broken-hash", message, StringComparison.Ordinal);
            Assert.DoesNotContain("hunter2", message, StringComparison.Ordinal);
            Assert.DoesNotContain("eves-hex", message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Userdb_fields_and_extra_fields_are_kept_as_written()
    {
        var file = Parse("alice:{PLAIN}pw:1000:100:Alice Liddell:/home/alice:/bin/false:userdb_mail=maildir:~/Mail nologin  quota_rule=*:storage=1G\n");

        Assert.True(file.TryGetUser("alice", out var alice));
        Assert.Equal("1000", alice.Uid);
        Assert.Equal("100", alice.Gid);
        Assert.Equal("Alice Liddell", alice.Gecos);
        Assert.Equal("/home/alice", alice.Home);
        Assert.Equal("/bin/false", alice.Shell);
        Assert.Equal(
            new Dictionary<string, string>
            {
                ["userdb_mail"] = "maildir:~/Mail",
                ["nologin"] = string.Empty,
                ["quota_rule"] = "*:storage=1G",
            },
            alice.ExtraFields.OrderBy(field => field.Key, StringComparer.Ordinal).ToDictionary());
        Assert.True(alice.NoLogin);
    }

    [Fact]
    public void Everything_after_the_password_is_optional_and_empty_fields_are_null()
    {
        var file = Parse("alice:{PLAIN}pw\r\nbob:{PLAIN}pw::::\r\n");

        Assert.True(file.TryGetUser("alice", out var alice));
        Assert.Null(alice.Uid);
        Assert.Null(alice.Home);
        Assert.Empty(alice.ExtraFields);
        Assert.False(alice.NoLogin);
        Assert.True(file.TryGetUser("bob", out var bob));
        Assert.Null(bob.Gid);
        Assert.True(bob.Password.Verify("pw"));
    }

    [Fact]
    public void Blank_lines_and_comments_are_ignored_without_a_report()
    {
        var logger = new ListLogger<Pop3UsersFile>();
        var file = Parse("\n# comment: with colons\n   \n\talice:{PLAIN}pw\n", logger);

        // A line that starts with a tab is a user named "\talice": Dovecot does not trim either.
        Assert.Equal(1, file.Count);
        Assert.Empty(logger.Entries);
        Assert.True(file.TryGetUser("\talice", out _));
    }

    [Fact]
    public void User_names_are_case_sensitive()
    {
        var file = Parse("Alice:{PLAIN}pw\n");

        Assert.True(file.TryGetUser("Alice", out _));
        Assert.False(file.TryGetUser("alice", out _));
    }

    [Fact]
    public void Crypt_hash_without_scheme_prefix_is_accepted()
    {
        var file = Parse("alice:$6$c03i3mUiwIRNrdx5$RVXR.5rv46CrqndY2SxZFMbG1/FbTakavO9GJTkdiZ30U71GnNbHS0f9xwKhMmN5VO77n4P7MTXpAphmZKGhr/\n");

        Assert.True(file.TryGetUser("alice", out var alice));
        Assert.Equal("CRYPT", alice.Password.Scheme);
        Assert.True(alice.Password.Verify(DovecotFixtures.Password));
    }

    [Fact]
    public void Load_reads_a_file_from_disk()
    {
        using var directory = new TempDirectory();
        var path = directory.File("users");
        File.WriteAllText(path, "alice:{PLAIN}pw\n");

        var file = Pop3UsersFile.Load(path);

        Assert.Equal(1, file.Count);
    }
}
