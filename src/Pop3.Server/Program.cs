using Pop3.Kestrel.Hosting;
using Serilog;

var builder = WebApplication.CreateBuilder(args);
builder.Services.AddSerilog((services, log) => log.ReadFrom.Configuration(builder.Configuration).ReadFrom.Services(services));
builder.AddPop3Server().AddMaildir().AddUsersFile();

var app = builder.Build();
await app.RunAsync();

/// <summary>The server's entry point, public so integration tests can host it.</summary>
public partial class Program;
