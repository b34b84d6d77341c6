using Pop3.Kestrel.Authentication;
using Pop3.Kestrel.Hosting;
using Pop3.Server.Stores;

namespace Pop3.Server.Cli;

/// <summary>The server's configuration and store services, without the server: what a command needs.</summary>
internal static class CommandHost
{
    /// <summary>
    /// Builds the services from the same sources as the server (appsettings.json in the current directory, environment
    /// variables, <c>--Key=value</c> arguments) with the configured store registered.
    /// </summary>
    public static IHost Build(string[] configurationArgs)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            Args = configurationArgs,
            ContentRootPath = Directory.GetCurrentDirectory(),
        });
        builder.Logging.ClearProviders();
        builder.Services.AddPop3Server().AddConfiguredStore(builder.Configuration);
        return builder.Build();
    }

    /// <summary>False if a users file is configured, exists, and does not list <paramref name="user"/>.</summary>
    public static bool IsKnownUser(IHost host, string user)
    {
        var configuration = host.Services.GetRequiredService<IConfiguration>();
        var environment = host.Services.GetRequiredService<IHostEnvironment>();
        var configured = configuration[Pop3UsersFileOptions.UsersFileKey];
        if (string.IsNullOrWhiteSpace(configured))
        {
            return true;
        }

        var path = Path.GetFullPath(configured, environment.ContentRootPath);
        return !File.Exists(path) || Pop3UsersFile.Load(path).TryGetUser(user, out _);
    }
}
