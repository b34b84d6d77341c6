using Pop3.Server.Cli;

namespace Pop3.Server.Tests.Cli;

/// <summary>The command line: help everywhere, usage errors (exit 64) that never start a server, the configuration-argument rule, deliver's users.</summary>
public sealed class CommandLineTests : IDisposable
{
    private static readonly byte[] Message = "Subject: hi\r\n\r\nhello\r\n"u8.ToArray();
    private readonly string _folder = Directory.CreateTempSubdirectory("pop3-cmdline-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string MaildirPath => $"--Pop3:Maildir:Path={_folder}/{{user}}/Maildir";

    [Theory]
    [InlineData(new[] { "--help" }, " [command] [options]")]
    [InlineData(new[] { "-h" }, " [command] [options]")]
    [InlineData(new[] { "help" }, " [command] [options]")]
    [InlineData(new[] { "hash-password", "--help" }, " hash-password [options]")]
    [InlineData(new[] { "pw", "--help" }, " hash-password [options]")]
    [InlineData(new[] { "healthcheck", "--help" }, " healthcheck [<URL>] [options]")]
    [InlineData(new[] { "deliver", "--help" }, " deliver [options]")]
    [InlineData(new[] { "import-maildir", "--help" }, " import-maildir [options]")]
    [InlineData(new[] { "migrate", "--help" }, " migrate [options]")]
    public async Task Help_is_printed_for_the_server_and_every_command(string[] args, string usage)
    {
        var (code, output, error) = await RunAsync(args);
        Assert.Equal((0, ""), (code, error));
        Assert.Contains("Usage:\n", output, StringComparison.Ordinal);
        Assert.Contains(usage, output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_servers_help_states_the_configuration_argument_rule_and_the_exit_codes()
    {
        var (_, output, _) = await RunAsync(["--help"]);
        Assert.Contains("--Key=value or --Key value where the key contains ':'", output, StringComparison.Ordinal);
        Assert.Contains("78 configuration error", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { "hash-pasword" }, "'hash-pasword' was not matched. Did you mean one of the following?\nhash-password")]
    [InlineData(new[] { "--verbos" }, "Unrecognized command or argument '--verbos'.")]
    [InlineData(new[] { "serve" }, "Unrecognized command or argument 'serve'.")]
    [InlineData(new[] { "deliver", "--usr", "alice" }, "Unrecognized command or argument '--usr'.")]
    [InlineData(new[] { "hash-password", "--rounds", "many" }, "Cannot parse argument 'many' for option '--rounds'")]
    [InlineData(new[] { "hash-password", "--rounds", "0" }, "hash-password: --rounds is 0; it must be a positive number.")]
    [InlineData(new[] { "hash-password", "--Pop3:Greeting=x" }, "hash-password: takes no configuration arguments (given --Pop3:Greeting=x).")]
    public async Task A_wrong_command_or_option_is_a_usage_error_and_starts_no_server(string[] args, string message)
    {
        var error = new StringWriter { NewLine = "\n" };
        var invocation = await Pop3Cli.RunAsync(args, new StringReader("secret\n"), new StringWriter(), error, Stream.Null);
        Assert.Equal(64, invocation.ExitCode);
        Assert.Contains(message, error.ToString().ReplaceLineEndings("\n"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { "--Pop3:Greeting=x" }, new[] { "--Pop3:Greeting=x" }, false)]
    [InlineData(new[] { "--Pop3:Greeting", "x", "--verbose" }, new[] { "--Pop3:Greeting", "x" }, true)]
    [InlineData(new[] { "-v", "--environment", "Production", "--urls=http://127.0.0.1:0" }, new[] { "--environment", "Production", "--urls=http://127.0.0.1:0" }, true)]
    [InlineData(new[] { "--contentRoot=/srv/pop3", "--Serilog:MinimumLevel:Default=Debug" }, new[] { "--contentRoot=/srv/pop3", "--Serilog:MinimumLevel:Default=Debug" }, false)]
    public async Task Configuration_arguments_go_to_the_server(string[] args, string[] configuration, bool verbose)
    {
        var invocation = await Pop3Cli.RunAsync(args, TextReader.Null, TextWriter.Null, TextWriter.Null, Stream.Null);
        Assert.Null(invocation.ExitCode);
        Assert.Equal(configuration, invocation.Configuration);
        Assert.Equal(verbose, invocation.Verbose);
    }

    [Fact]
    public async Task Deliver_without_a_users_file_refuses_every_user_and_creates_nothing()
    {
        var missing = Path.Combine(_folder, "no-such-users-file");
        var (code, _, error) = await RunAsync(["deliver", "--user", "nobody", MaildirPath, $"--Pop3:Authentication:UsersFile={missing}"], Message);
        Assert.Equal(67, code);
        Assert.Equal($"deliver: no users file at '{missing}' (Pop3:Authentication:UsersFile) to look 'nobody' up in; --create delivers anyway\n", error);
        Assert.Empty(Directory.GetFileSystemEntries(_folder));
    }

    [Fact]
    public async Task Deliver_to_a_user_the_users_file_does_not_list_is_EX_NOUSER_unless_create_is_given()
    {
        var users = Path.Combine(_folder, "users");
        await File.WriteAllTextAsync(users, "alice:{PLAIN}secret\n");
        string[] args = ["deliver", "--user", "bob", MaildirPath, $"--Pop3:Authentication:UsersFile={users}"];

        Assert.Equal((67, "", "deliver: no such user 'bob'\n"), await RunAsync(args, Message));
        Assert.False(Directory.Exists(Path.Combine(_folder, "bob")));

        Assert.Equal((0, "", ""), await RunAsync([.. args, "--create"], Message));
        var file = Assert.Single(Directory.GetFiles(Path.Combine(_folder, "bob", "Maildir", "new")));
        Assert.Equal(Message, await File.ReadAllBytesAsync(file));
    }

    [Fact]
    public async Task Deliver_to_a_listed_user_needs_no_create()
    {
        var users = Path.Combine(_folder, "users");
        await File.WriteAllTextAsync(users, "alice:{PLAIN}secret\n");
        Assert.Equal((0, "", ""), await RunAsync(["deliver", "--user", "alice", MaildirPath, $"--Pop3:Authentication:UsersFile={users}"], Message));
        Assert.Single(Directory.GetFiles(Path.Combine(_folder, "alice", "Maildir", "new")));
    }

    [Fact]
    public async Task Deliver_with_a_misspelt_setting_is_a_configuration_error()
    {
        var (code, _, error) = await RunAsync(["deliver", "--user", "alice", "--create", "--Pop3:Maildir:Pth=/tmp/x"], Message);
        Assert.Equal(78, code);
        Assert.Equal("deliver: Pop3:Maildir:Pth is not a known setting; did you mean Pop3:Maildir:Path?\n", error);
    }

    private static async Task<(int Code, string Output, string Error)> RunAsync(string[] args, byte[]? input = null)
    {
        var output = new StringWriter { NewLine = "\n" };
        var error = new StringWriter { NewLine = "\n" };
        var code = await Pop3Cli.TryRunAsync(args, TextReader.Null, output, error, new MemoryStream(input ?? []));
        return (code!.Value, output.ToString(), error.ToString());
    }
}
