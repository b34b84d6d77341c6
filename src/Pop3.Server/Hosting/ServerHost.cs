using Pop3.Kestrel.Admin;

namespace Pop3.Server.Hosting;

/// <summary>Runs the POP3 server until it is stopped; a start-up failure is one message and an exit code, not a crash.</summary>
internal static class ServerHost
{
    /// <summary>
    /// False when another program runs the entry point (WebApplicationFactory in tests): the failure then reaches it as
    /// the exception, instead of as a message on standard error.
    /// </summary>
    private static bool IsOwnProcess => System.Reflection.Assembly.GetEntryAssembly() == typeof(ServerHost).Assembly;

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
            // Not RunAsync: it disposes the host when the start fails, and the report below asks it which listener failed.
            await app.StartAsync();
            await app.WaitForShutdownAsync();
            return 0;
        }
        catch (Exception e) when (IsOwnProcess)
        {
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
