using Pop3.Kestrel.Admin;
using Pop3.Kestrel.Hosting;
using Pop3.Server;
using Pop3.Server.Cli;
using Pop3.Server.Hosting;

if (await Pop3Cli.TryRunAsync(args) is { } exitCode)
{
    return exitCode;
}

var builder = WebApplication.CreateBuilder(args);
builder.AddServerOperations();
builder.AddPop3Server().AddMaildir().AddUsersFile().AddAdmin();
builder.Services.AddHostedService<DemoMailbox>();
await DemoMailbox.PrepareAsync(builder.Configuration, builder.Environment);

var app = builder.Build();
app.MapPop3Admin();
await app.RunAsync();
return 0;

/// <summary>The server's entry point, public so integration tests can host it.</summary>
public partial class Program;
