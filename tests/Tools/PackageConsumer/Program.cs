// The package README's synopsis (src/PACKAGE.md), built from the packages: a POP3 server with an authenticator
// and a Maildir, plus the admin listener. Run, it serves one real session to itself over a socket and exits 0.
using System.Net.Sockets;
using System.Text;
using Pop3.Kestrel.Admin;
using Pop3.Kestrel.Authentication;
using Pop3.Kestrel.Hosting;

var maildir = Path.Combine(Path.GetTempPath(), "pop3-consumer-" + Guid.NewGuid().ToString("N"));
foreach (var folder in new[] { "cur", "new", "tmp" })
{
    Directory.CreateDirectory(Path.Combine(maildir, "alice", "Maildir", folder));
}

await File.WriteAllTextAsync(Path.Combine(maildir, "alice", "Maildir", "new", "1700000000.M1P1.consumer"), "Subject: hello\r\n\r\nfrom a package\r\n");

var builder = WebApplication.CreateBuilder(args);
builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
{
    ["Pop3:Endpoints:Default:Address"] = "127.0.0.1",
    ["Pop3:Endpoints:Default:Port"] = "0",
    ["Pop3:Admin:Port"] = "0",
    ["Pop3:Maildir:Path"] = Path.Combine(maildir, "{user}", "Maildir"),
});
builder.AddPop3Server(o => o.Greeting = "Welcome to my POP3 server")
    .AddAuthenticator((user, pass, connection, ct) => ValueTask.FromResult(
        pass == "secret" ? Pop3AuthenticationResult.Success(user) : Pop3AuthenticationResult.Failure))
    .AddMaildir()
    .AddAdmin();
var app = builder.Build();
app.MapPop3Admin();
await app.StartAsync();

try
{
    var endPoint = app.Services.GetPop3EndPoint("Default");
    using var tcp = new TcpClient();
    await tcp.ConnectAsync(endPoint);
    using var reader = new StreamReader(tcp.GetStream(), Encoding.ASCII);
    var stream = tcp.GetStream();
    async Task<string> Command(string line)
    {
        await stream.WriteAsync(Encoding.ASCII.GetBytes(line + "\r\n"));
        return await reader.ReadLineAsync() ?? "";
    }

    Expect(await reader.ReadLineAsync() ?? "", "+OK Welcome to my POP3 server");
    Expect(await Command("USER alice"), "+OK");
    Expect(await Command("PASS secret"), "+OK Logged in, 1 messages");
    Expect(await Command("RETR 1"), "+OK");
    var body = new StringBuilder();
    for (var line = await reader.ReadLineAsync(); line != "."; line = await reader.ReadLineAsync())
    {
        body.Append(line).Append('\n');
    }

    Expect(body.ToString(), "Subject: hello\n\nfrom a package\n");
    Expect(await Command("QUIT"), "+OK");

    using var http = new HttpClient();
    var health = await http.GetStringAsync($"http://{app.Services.GetPop3AdminEndPoint()}/healthz");
    Expect(health, "Healthy");
    Console.WriteLine("consumer: served a session from the packages and /healthz answered");
    return 0;
}
finally
{
    await app.StopAsync();
    Directory.Delete(maildir, recursive: true);
}

static void Expect(string actual, string start)
{
    if (!actual.StartsWith(start, StringComparison.Ordinal))
    {
        throw new InvalidOperationException($"expected '{start}...', got '{actual}'");
    }
}
