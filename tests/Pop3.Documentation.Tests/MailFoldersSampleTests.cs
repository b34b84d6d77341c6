using System.Net.Sockets;
using System.Text;

namespace Pop3.Documentation.Tests;

/// <summary>The README's synopsis, as the MailFolders sample, serves mail to a real client.</summary>
public sealed class MailFoldersSampleTests : IAsyncLifetime
{
    private readonly MailFoldersSampleFactory _server = new();

    [Fact]
    public async Task A_client_lists_retrieves_and_deletes_mail_from_the_users_folder()
    {
        var alice = Directory.CreateDirectory(Path.Combine(_server.Root, "alice")).FullName;
        await File.WriteAllTextAsync(Path.Combine(alice, "1.eml"), "Subject: one\n\n.dot first\n");
        await File.WriteAllTextAsync(Path.Combine(alice, "2.eml"), "Subject: two\r\n\r\nsecond\r\n");

        using var client = new TcpClient();
        await client.ConnectAsync(_server.Pop3EndPoint);
        var stream = client.GetStream();
        var received = new StringBuilder();
        var buffer = new byte[4096];
        async Task<string> Exchange(string? command, string until)
        {
            if (command is not null)
            {
                await stream.WriteAsync(Encoding.ASCII.GetBytes(command + "\r\n"));
            }

            received.Clear();
            while (!received.ToString().EndsWith(until, StringComparison.Ordinal))
            {
                var read = await stream.ReadAsync(buffer);
                Assert.NotEqual(0, read);
                received.Append(Encoding.ASCII.GetString(buffer, 0, read));
            }

            return received.ToString();
        }

        Assert.Equal("+OK Welcome to my POP3 server\r\n", await Exchange(null, "\r\n"));
        Assert.Equal("+OK Send your password\r\n", await Exchange("USER alice", "\r\n"));
        Assert.Equal("+OK Logged in, 2 messages (52 octets)\r\n", await Exchange("PASS secret", "\r\n"));
        Assert.Equal("+OK Scan listing follows\r\n1 28\r\n2 24\r\n.\r\n", await Exchange("LIST", "\r\n.\r\n"));
        Assert.Equal("+OK Unique-ID listing follows\r\n1 1.eml\r\n2 2.eml\r\n.\r\n", await Exchange("UIDL", "\r\n.\r\n"));
        Assert.Equal("+OK 28 octets\r\nSubject: one\r\n\r\n..dot first\r\n.\r\n", await Exchange("RETR 1", "\r\n.\r\n"));
        Assert.StartsWith("+OK", await Exchange("DELE 1", "\r\n"), StringComparison.Ordinal);

        // Before QUIT the file is still there: deletions reach the folder only at UPDATE.
        Assert.True(File.Exists(Path.Combine(alice, "1.eml")));
        Assert.StartsWith("+OK", await Exchange("QUIT", "\r\n"), StringComparison.Ordinal);

        Assert.Equal(["2.eml"], Directory.GetFiles(alice).Select(Path.GetFileName));
    }

    [Fact]
    public async Task A_wrong_password_is_refused()
    {
        using var client = new TcpClient();
        await client.ConnectAsync(_server.Pop3EndPoint);
        using var reader = new StreamReader(client.GetStream(), Encoding.ASCII);
        var stream = client.GetStream();
        Assert.Equal("+OK Welcome to my POP3 server", await reader.ReadLineAsync());
        await stream.WriteAsync("USER alice\r\nPASS wrong\r\n"u8.ToArray());
        Assert.Equal("+OK Send your password", await reader.ReadLineAsync());
        Assert.StartsWith("-ERR [AUTH]", await reader.ReadLineAsync(), StringComparison.Ordinal);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _server.DisposeAsync();
}
