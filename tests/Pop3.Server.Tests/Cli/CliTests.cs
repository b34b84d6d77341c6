using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using Pop3.Kestrel.Maildir;
using Pop3.Kestrel.Maildrops;
using Pop3.Kestrel.PostgreSql;
using Pop3.Kestrel.PostgreSql.Tests;
using Pop3.Server.Cli;

namespace Pop3.Server.Tests.Cli;

/// <summary><c>deliver</c> and <c>import-maildir</c>, run in-process as Postfix or an operator would run them.</summary>
[Collection(PostgreSqlCollection.Name)]
public sealed class CliTests(PostgreSqlFixture database) : IDisposable
{
    private static readonly byte[] Message = "From: a@example.org\nSubject: delivered\n\n.dot line\nno final newline"u8.ToArray();
    private readonly string _folder = Directory.CreateTempSubdirectory("pop3-cli-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string NoUsersFile => "--Pop3:Authentication:UsersFile=" + Path.Combine(_folder, "no-users-file");

    [Fact]
    public async Task Deliver_stores_the_bytes_in_the_users_maildir()
    {
        var (code, _, error) = await RunAsync(["deliver", "--user", "alice", "--create", $"--Pop3:Maildir:Path={_folder}/{{user}}/Maildir", NoUsersFile], Message);
        Assert.Equal((0, ""), (code, error));
        var file = Assert.Single(Directory.GetFiles(Path.Combine(_folder, "alice", "Maildir", "new")));
        Assert.Equal(Message, await File.ReadAllBytesAsync(file));
        // W: four LFs become CRLF, and the last line gets its CRLF.
        Assert.EndsWith($",S={Message.Length},W={Message.Length + 4 + 2}", file, StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Category", "Interop")]
    [Trait("Category", "PostgreSql")]
    public async Task Deliver_stores_the_bytes_in_postgresql()
    {
        var user = "u" + Guid.NewGuid().ToString("N")[..12];
        var (code, _, error) = await RunAsync(["deliver", "--user", user, "--create", "--Pop3:Store=PostgreSql", $"--Pop3:PostgreSql:ConnectionString={database.ConnectionString}", NoUsersFile], Message);
        Assert.Equal((0, ""), (code, error));

        await using var dataSource = NpgsqlDataSource.Create(database.ConnectionString);
        await using var command = dataSource.CreateCommand("SELECT body FROM pop3_messages WHERE mailbox = @m");
        command.Parameters.AddWithValue("m", user);
        Assert.Equal(Message, (byte[])(await command.ExecuteScalarAsync())!);
    }

    [Fact]
    public async Task Deliver_to_a_user_missing_from_the_users_file_is_EX_NOUSER()
    {
        var users = Path.Combine(_folder, "users");
        await File.WriteAllTextAsync(users, "bob:{PLAIN}secret\n");
        var (code, _, error) = await RunAsync(["deliver", "--user", "alice", $"--Pop3:Authentication:UsersFile={users}", $"--Pop3:Maildir:Path={_folder}/{{user}}/Maildir"], Message);
        Assert.Equal((67, "deliver: no such user 'alice'\n"), (code, error));
        Assert.False(Directory.Exists(Path.Combine(_folder, "alice")));
    }

    [Fact]
    public async Task Deliver_when_postgresql_is_down_is_EX_TEMPFAIL()
    {
        var (code, _, error) = await RunAsync(["deliver", "--user", "alice", "--create", "--Pop3:Store=PostgreSql", "--Pop3:PostgreSql:ConnectionString=Host=127.0.0.1;Port=1;Timeout=2", NoUsersFile], Message);
        Assert.Equal(75, code);
        Assert.StartsWith("deliver: temporary failure: ", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { "deliver" }, 64, "Option '--user' is required.")]
    [InlineData(new[] { "deliver", "--user", "alice", "--Pop3:Store=Upstream", "--Pop3:Upstream:Host=127.0.0.1" }, 69, "deliver: the Upstream store takes no deliveries; mail arrives at the upstream server\n")]
    [InlineData(new[] { "deliver", "--user", "alice", "--Pop3:Store=Mbox" }, 78, "deliver: Pop3:Store is 'Mbox'; it must be one of: Maildir, PostgreSql, Upstream.\n")]
    [InlineData(new[] { "deliver", "--user", "alice", "--create", "--Pop3:Store=PostgreSql" }, 78, "deliver: Pop3:PostgreSql:ConnectionString is required for the PostgreSQL store.\n")]
    [InlineData(new[] { "import-maildir", "--user", "alice" }, 64, "Option '--path' is required.")]
    public async Task Bad_invocations_say_why_with_a_sysexits_code(string[] args, int expected, string message)
    {
        var (code, _, error) = await RunAsync([.. args, NoUsersFile], Message);
        Assert.Equal(expected, code);
        Assert.Contains(message, error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Arguments_that_are_not_a_command_start_the_server()
    {
        Assert.Null(await Pop3Cli.TryRunAsync(["--Pop3:Demo=true"], TextReader.Null, TextWriter.Null, TextWriter.Null, Stream.Null));
        Assert.Null(await Pop3Cli.TryRunAsync([], TextReader.Null, TextWriter.Null, TextWriter.Null, Stream.Null));
    }

    [Fact]
    [Trait("Category", "Interop")]
    [Trait("Category", "PostgreSql")]
    public async Task Import_keeps_dovecot_uidls_and_can_run_again()
    {
        var maildir = Path.Combine(_folder, "dovecot", "Maildir");
        Directory.CreateDirectory(Path.Combine(maildir, "cur"));
        Directory.CreateDirectory(Path.Combine(maildir, "new"));
        Directory.CreateDirectory(Path.Combine(maildir, "tmp"));
        await File.WriteAllBytesAsync(Path.Combine(maildir, "cur", "1795708478.M932998P27875.vm,S=18,W=21:2,S"), "Subject: a\n\nhello\n"u8.ToArray());
        await File.WriteAllBytesAsync(Path.Combine(maildir, "cur", "1795708479.M46331P27889.vm,S=16,W=19:2,"), "Subject: b\n\nbye\n"u8.ToArray());
        await File.WriteAllBytesAsync(Path.Combine(maildir, "new", "1795708480.M1P1.vm"), "Subject: c\n\nnew\n"u8.ToArray());
        await File.WriteAllTextAsync(Path.Combine(maildir, "dovecot-uidlist"),
            "3 V1795708478 N3 G24979e373e56086be36c000083ecc375\n" +
            "1 :1795708478.M932998P27875.vm,S=18,W=21\n" +
            "2 :1795708479.M46331P27889.vm,S=16,W=19\n");
        var user = "u" + Guid.NewGuid().ToString("N")[..12];
        string[] args = ["import-maildir", "--user", user, "--path", maildir, "--Pop3:Store=PostgreSql", $"--Pop3:PostgreSql:ConnectionString={database.ConnectionString}"];

        Assert.Equal((0, $"imported 3 message(s) into {user}, skipped 0 already there\n", ""), await RunAsync(args, []));
        Assert.Equal((0, $"imported 0 message(s) into {user}, skipped 3 already there\n", ""), await RunAsync(args, []));

        // The UIDLs a client saw from Dovecot, and the file name for the message Dovecot had not seen yet.
        await using var dataSource = NpgsqlDataSource.Create(database.ConnectionString);
        await using var maildrop = new PostgreSqlMaildrop(new PostgreSqlMailStore(dataSource), NullLogger<PostgreSqlMaildrop>.Instance);
        Assert.Equal(MaildropOpenStatus.Opened, await maildrop.OpenAsync(user, CancellationToken.None));
        var listed = await maildrop.ListAsync(CancellationToken.None);
        Assert.Equal(["000000016b08563e", "000000026b08563e", "1795708480.M1P1.vm"], listed.Select(m => m.Id));
        Assert.Equal([21L, 19L, 19L], listed.Select(m => m.Size!.Value));

        // Nothing was taken out of the Maildir.
        await using var source = new MaildirMaildrop(Options.Create(new MaildirOptions { Path = maildir }), NullLogger<MaildirMaildrop>.Instance);
        Assert.Equal(MaildropOpenStatus.Opened, await source.OpenAsync(user, CancellationToken.None));
        Assert.Equal(3, (await source.ListAsync(CancellationToken.None)).Count);
    }

    private static async Task<(int Code, string Output, string Error)> RunAsync(string[] args, byte[] input)
    {
        var output = new StringWriter { NewLine = "\n" };
        var error = new StringWriter { NewLine = "\n" };
        var code = await Pop3Cli.TryRunAsync(args, output: output, error: error, message: new MemoryStream(input));
        return (code!.Value, output.ToString(), error.ToString());
    }
}
