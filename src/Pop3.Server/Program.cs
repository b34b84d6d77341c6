using Pop3.Kestrel.Hosting;
using Pop3.Server;
using Pop3.Server.Cli;
using Pop3.Server.Stores;
using Serilog;

if (await Pop3Cli.TryRunAsync(args, Console.OpenStandardInput(), Console.Out, Console.Error) is { } exitCode)
{
    return exitCode;
}

var builder = WebApplication.CreateBuilder(args);
builder.Services.AddSerilog((services, log) => log.ReadFrom.Configuration(builder.Configuration).ReadFrom.Services(services));
builder.AddPop3Server().AddConfiguredStore(builder.Configuration).AddUsersFile();
builder.Services.AddHostedService<DemoMailbox>();
await DemoMailbox.PrepareAsync(builder.Configuration, builder.Environment);

await builder.Build().RunAsync();
return 0;

/// <summary>The server's entry point, public so integration tests can host it.</summary>
public partial class Program;
