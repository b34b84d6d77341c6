using Pop3.Kestrel.Authentication;
using Pop3.Kestrel.UsersFile;
using Pop3.Server.Cli;
using Pop3.Server.Tests.Infrastructure;

namespace Pop3.Server.Tests.Operations;

public sealed class CliTests
{
    [Theory]
    [InlineData(new[] { "hash-password" }, "{SHA512-CRYPT}$6$")]
    [InlineData(new[] { "hash-password", "-s", "SHA512-CRYPT" }, "{SHA512-CRYPT}$6$")]
    [InlineData(new[] { "hash-password", "-s", "SHA256-CRYPT", "-r", "6000" }, "{SHA256-CRYPT}$5$rounds=6000$")]
    [InlineData(new[] { "hash-password", "-s", "BLF-CRYPT", "-r", "4" }, "{BLF-CRYPT}$2")]
    public async Task Hash_password_reads_stdin_and_prints_a_users_file_password_that_verifies(string[] args, string prefix)
    {
        var output = new StringWriter();
        var error = new StringWriter();

        var exit = await Pop3Cli.TryRunAsync(args, new StringReader("correct horse battery\n"), output, error);

        Assert.Equal(0, exit);
        Assert.Equal("", error.ToString());
        var stored = output.ToString().TrimEnd('\n', '\r');
        Assert.StartsWith(prefix, stored, StringComparison.Ordinal);
        Assert.True(Pop3PasswordSchemes.Verify(stored, "correct horse battery"));
        Assert.False(Pop3PasswordSchemes.Verify(stored, "correct horse"));
    }

    [Theory]
    [InlineData(new[] { "hash-password", "-s", "NOPE" }, "", 64, "unknown scheme 'NOPE'")]
    [InlineData(new[] { "hash-password", "--frobnicate" }, "", 64, "Unrecognized command or argument '--frobnicate'")]
    [InlineData(new[] { "hash-password" }, "\n", 65, "empty password")]
    public async Task Hash_password_refuses_what_it_cannot_do(string[] args, string input, int expectedExit, string message)
    {
        var error = new StringWriter();
        var exit = await Pop3Cli.TryRunAsync(args, new StringReader(input), new StringWriter(), error);
        Assert.Equal(expectedExit, exit);
        Assert.Contains(message, error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_a_command_the_server_starts()
    {
        Assert.Null(await Pop3Cli.TryRunAsync([]));
        Assert.Null(await Pop3Cli.TryRunAsync(["--urls", "http://x"]));
    }

    [Fact]
    public async Task Healthcheck_is_zero_against_a_running_server_and_one_against_nothing()
    {
        await using var server = new Pop3ServerFactory().WithInMemoryMail(new());
        using var http = server.CreateAdminClient();
        var output = new StringWriter();

        Assert.Equal(0, await Pop3Cli.TryRunAsync(["healthcheck", new Uri(http.BaseAddress!, "/healthz").ToString()], output: output));
        Assert.Contains("200 Healthy", output.ToString(), StringComparison.Ordinal);
        Assert.Equal(1, await Pop3Cli.TryRunAsync(["healthcheck", new Uri(http.BaseAddress!, "/nothing-here").ToString()], output: new StringWriter()));
    }
}
