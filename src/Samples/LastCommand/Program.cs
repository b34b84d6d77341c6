// A verb the framework does not have, added through the public API alone: LAST, from RFC 1725 (obsoleted by
// RFC 1939, still sent by a few old clients to find the messages they have not fetched yet).
//
//   dotnet run --project src/Samples/LastCommand
//   printf 'USER demo\r\nPASS demo\r\nLAST\r\nRETR 2\r\nLAST\r\nQUIT\r\n' | nc 127.0.0.1 11001
using LastCommand;
using Pop3.Kestrel.Authentication;
using Pop3.Kestrel.Hosting;
using Pop3.Kestrel.Sessions;

var builder = WebApplication.CreateBuilder(args);
builder.Configuration.Sources.Insert(0, new Microsoft.Extensions.Configuration.Memory.MemoryConfigurationSource
{
    InitialData = new Dictionary<string, string?>
    {
        ["Pop3:Endpoints:Default:Address"] = "127.0.0.1",
        ["Pop3:Endpoints:Default:Port"] = "11001",
    },
});

builder.AddPop3Server()
    .AddAuthenticator((user, password, connection, cancellationToken) =>
        ValueTask.FromResult(user == "demo" && password == "demo" ? Pop3AuthenticationResult.Success(user) : Pop3AuthenticationResult.Failure))
    .AddInMemoryMaildrop(store =>
    {
        for (var i = 1; i <= 3; i++)
        {
            store.Add("demo", System.Text.Encoding.ASCII.GetBytes($"Subject: message {i}\r\n\r\nHello {i}.\r\n"));
        }
    })

    // After login only, and announced in CAPA as "LAST" (RFC 2449 has no tag for it; a site may choose one).
    // The command log and the pop3.commands metric name it LAST, as they name the built-in verbs.
    .AddCommand<LastCommandHandler>("LAST", Pop3CommandStates.Transaction, capability: "LAST");

await builder.Build().RunAsync();
