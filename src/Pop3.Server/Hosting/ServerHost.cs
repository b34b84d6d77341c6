using Pop3.Kestrel.Admin;

namespace Pop3.Server.Hosting;

/// <summary>Runs the POP3 server until it is stopped; a start-up failure is one message and an exit code, not a crash.</summary>
internal static class ServerHost
{
    public static async Task<int> RunAsync(string[] configuration, bool verbose)
    {
        WebApplication? app = null;
        IConfiguration? settings = null;
        try
        {
            var builder = WebApplication.CreateBuilder(configuration);
            settings = builder.Configuration;
            builder.AddServerOperations();
            builder.AddServerServices();
            builder.Services.AddHostedService<DemoMailbox>();
            await DemoMailbox.PrepareAsync(builder.Configuration, builder.Environment);

            app = builder.Build();
            app.MapPop3Admin();
            await app.RunAsync();
            return 0;
        }
        catch (Exception e) when (e.GetType().Name != "StopTheHostException")
        {
            // (WebApplicationFactory stops the entry point at Build with that exception; it must reach the test host.)
            return StartupFailure.Report(e, app?.Services, verbose || StartupFailure.IsDebugLogging(settings), Console.Error);
        }
        finally
        {
            if (app is not null)
            {
                await app.DisposeAsync();
            }
        }
    }
}
