using Pop3.Kestrel.Hosting;
using Pop3.Server;
using Serilog;

var builder = WebApplication.CreateBuilder(args);
builder.Services.AddSerilog((services, log) => log.ReadFrom.Configuration(builder.Configuration).ReadFrom.Services(services));
builder.AddPop3Server().AddMaildir().AddUsersFile();
builder.Services.AddHostedService<DemoMailbox>();
await DemoMailbox.PrepareAsync(builder.Configuration, builder.Environment);

await builder.Build().RunAsync();

/// <summary>The server's entry point, public so integration tests can host it.</summary>
public partial class Program;
