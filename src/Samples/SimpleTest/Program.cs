// Net::Server::POP3's simpletest.pl, line for line in C#: any user and password log in, each mailbox holds three
// messages generated on the fly, and deletions are remembered until the program stops.
//
//   dotnet run --project src/Samples/SimpleTest
//   curl pop3://127.0.0.1:11000/ -u anyone:anything       (list)
//   curl pop3://127.0.0.1:11000/2 -u anyone:anything      (message 2)
using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using Pop3.Kestrel.Authentication;
using Pop3.Kestrel.Hosting;
using Pop3.Kestrel.Maildrops;

var started = DateTimeOffset.UtcNow.ToString("R", CultureInfo.InvariantCulture);
var deleted = new ConcurrentDictionary<(string User, string Id), bool>();

var builder = WebApplication.CreateBuilder(args);
// Defaults that appsettings, environment variables and --Key=value arguments may override.
builder.Configuration.Sources.Insert(0, new Microsoft.Extensions.Configuration.Memory.MemoryConfigurationSource
{
    InitialData = new Dictionary<string, string?>
    {
        ["Pop3:Endpoints:Default:Address"] = "127.0.0.1",
        ["Pop3:Endpoints:Default:Port"] = "11000",
        ["Pop3:Greeting"] = "Welcome to my mail server.",
    },
});

builder.AddPop3Server()
    .AddAuthenticator((user, password, connection, cancellationToken) =>
        ValueTask.FromResult(Pop3AuthenticationResult.Success(user)))
    .AddMaildrop(
        list: user => new[] { "1", "2", "3" }.Where(id => !deleted.ContainsKey((user, id))),
        retrieve: (user, id) => new MemoryStream(Message(user, id)),
        delete: (user, ids) =>
        {
            foreach (var id in ids)
            {
                deleted[(user, id)] = true;
            }
        },
        size: (user, id) => MaildropMessage.MeasureSize(Message(user, id)));

await builder.Build().RunAsync();

byte[] Message(string user, string id) => Encoding.UTF8.GetBytes(
    $"From: simpletest@localhost\r\nTo: {user}@localhost\r\nDate: {started}\r\nSubject: Test message {id}\r\n" +
    $"Message-ID: <{id}.{user}@simpletest.localhost>\r\n\r\nThis is message {id} for {user}, made on the fly.\r\n");
