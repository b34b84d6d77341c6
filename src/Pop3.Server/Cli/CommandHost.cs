using Pop3.Kestrel.Hosting;
using Pop3.Kestrel.UsersFile;
using Pop3.Server.Hosting;

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
        builder.AddServerServices();
        var host = builder.Build();

        // As the server would at start-up: a misspelt key or a value that does not convert is a configuration error.
        host.Services.GetRequiredService<Pop3SettingsCheck>().ThrowIfInvalid();
        return host;
    }

    /// <summary>
    /// Null when the users file (<c>Pop3:Authentication:UsersFile</c>, the server's authenticator) lists
    /// <paramref name="user"/>; otherwise why the user is not known.
    /// </summary>
    public static string? UnknownUser(IHost host, string user)
    {
        var configuration = host.Services.GetRequiredService<IConfiguration>();
        var environment = host.Services.GetRequiredService<IHostEnvironment>();
        var configured = configuration[Pop3UsersFileOptions.UsersFileKey] ?? new Pop3UsersFileOptions().UsersFile;
        if (string.IsNullOrWhiteSpace(configured))
        {
            return $"no users file ({Pop3UsersFileOptions.UsersFileKey} is empty) to look '{user}' up in; --create delivers anyway";
        }

        var path = Path.GetFullPath(configured, environment.ContentRootPath);
        if (!File.Exists(path))
        {
            return $"no users file at '{path}' ({Pop3UsersFileOptions.UsersFileKey}) to look '{user}' up in; --create delivers anyway";
        }

        // The rule LMTP's RCPT follows too: the users file decides who receives mail.
        return user.Length > 0 && Pop3UsersFile.Load(path).TryGetUser(user, out _) ? null : $"no such user '{user}'";
    }
}
