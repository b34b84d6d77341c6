// Net::Server::POP3's proxytest.pl in C#: a POP3 server on 127.0.0.1:11000 whose mailboxes live on another POP3
// server. The user name and password a client gives are passed to the upstream, which decides; LIST, UIDL, RETR and
// TOP are relayed, and DELE reaches the upstream only when the client QUITs.
//
//   dotnet run --project src/Samples/ProxyTest -- --Pop3:Upstream:Host=pop.example.org --Pop3:Upstream:Port=995 --Pop3:Upstream:Tls=Implicit
//   curl pop3://127.0.0.1:11000/ -u you:your-upstream-password
//
// To try it against this repository's own server: start `dotnet run --project src/Pop3.Server` (demo/demo on port
// 1110), then run this sample with --Pop3:Upstream:Port=1110 and fetch with -u demo:demo.
using Pop3.Kestrel.Authentication;
using Pop3.Kestrel.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.Configuration.Sources.Insert(0, new Microsoft.Extensions.Configuration.Memory.MemoryConfigurationSource
{
    InitialData = new Dictionary<string, string?>
    {
        ["Pop3:Endpoints:Default:Address"] = "127.0.0.1",
        ["Pop3:Endpoints:Default:Port"] = "11000",
        ["Pop3:Upstream:Host"] = "127.0.0.1",
        ["Pop3:Upstream:Port"] = "1110",
    },
});

builder.AddPop3Server()
    // Every login is accepted here; the upstream checks the password when the mailbox is opened.
    .AddAuthenticator((user, password, connection, cancellationToken) => ValueTask.FromResult(Pop3AuthenticationResult.Success(user)))
    .AddPop3Upstream();

await builder.Build().RunAsync();
