using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Pop3.Kestrel.Authentication;
using Pop3.Kestrel.Delivery;
using Pop3.Kestrel.UsersFile;

namespace Pop3.Kestrel.Hosting;

/// <summary>Plugs the Dovecot passwd-file users file into a POP3 server as its authenticator.</summary>
public static class UsersFilePop3ServerBuilderExtensions
{
    /// <summary>
    /// Authenticates against a Dovecot passwd-file users file (<see cref="UsersFileAuthenticator"/>), path from
    /// configuration key <c>Pop3:Authentication:UsersFile</c> (default <c>data/users</c>). The server does not
    /// start when the file does not exist; the file is read at start-up and again when it changes.
    /// </summary>
    public static Pop3ServerBuilder AddUsersFile(this Pop3ServerBuilder builder) => builder.AddUsersFile(static _ => { });

    /// <summary>As <see cref="AddUsersFile(Pop3ServerBuilder)"/>, then <paramref name="configure"/> on top of the configuration.</summary>
    public static Pop3ServerBuilder AddUsersFile(this Pop3ServerBuilder builder, Action<Pop3UsersFileOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        var services = builder.Services;
        services.AddPop3Settings<Pop3UsersFileOptions>(Pop3UsersFileOptions.SectionName)
            .Configure(configure);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<Pop3UsersFileOptions>, Pop3UsersFileOptionsValidator>());
        services.TryAddSingleton<UsersFileAuthenticator>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, UsersFileLoader>());
        services.RemoveAll<IPop3Authenticator>();
        services.AddSingleton<IPop3Authenticator>(static provider => provider.GetRequiredService<UsersFileAuthenticator>());

        // The users who can log in are the users mail is accepted for (LMTP's RCPT, deliver), as long as the users file
        // is still the authenticator: another one registered later knows its own users, and then there is no directory
        // unless the application registers one (LMTP refuses to start without it).
        services.TryAddSingleton<IPop3UserDirectory>(static provider =>
            provider.GetRequiredService<IPop3Authenticator>() is UsersFileAuthenticator users ? new UsersFileUserDirectory(users) : null!);
        return builder;
    }
}
