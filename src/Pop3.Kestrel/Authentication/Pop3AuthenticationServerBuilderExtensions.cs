using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Pop3.Kestrel.Authentication;

namespace Pop3.Kestrel.Hosting;

/// <summary>Plugs an <see cref="IPop3Authenticator"/> into the server. Each call replaces the authenticator registered before.</summary>
public static class Pop3AuthenticationServerBuilderExtensions
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
        builder.ReplaceAuthenticator(ServiceDescriptor.Singleton<IPop3Authenticator>(static provider => provider.GetRequiredService<UsersFileAuthenticator>()));

        // The users who can log in are the users mail is accepted for (LMTP's RCPT, deliver).
        services.TryAddSingleton<Delivery.IPop3UserDirectory, Delivery.UsersFileUserDirectory>();
        return builder;
    }

    /// <summary>Authenticates with <paramref name="authenticate"/>(user, password, connection, cancellation).</summary>
    public static Pop3ServerBuilder AddAuthenticator(
        this Pop3ServerBuilder builder,
        Func<string, string, Pop3ConnectionInfo, CancellationToken, ValueTask<Pop3AuthenticationResult>> authenticate)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(authenticate);
        return builder.ReplaceAuthenticator(ServiceDescriptor.Singleton<IPop3Authenticator>(new DelegateAuthenticator(authenticate)));
    }

    /// <summary>Authenticates with <typeparamref name="T"/>, a singleton built by dependency injection.</summary>
    public static Pop3ServerBuilder AddAuthenticator<T>(this Pop3ServerBuilder builder)
        where T : class, IPop3Authenticator
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.ReplaceAuthenticator(ServiceDescriptor.Singleton<IPop3Authenticator, T>());
    }

    /// <summary>
    /// Lets the users <typeparamref name="T"/> approves log in as others with AUTH PLAIN's authorization identity
    /// (master users). Replaces any policy registered before.
    /// </summary>
    public static Pop3ServerBuilder AddMasterUserPolicy<T>(this Pop3ServerBuilder builder)
        where T : class, IPop3MasterUserPolicy
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.RemoveAll<IPop3MasterUserPolicy>();
        builder.Services.AddSingleton<IPop3MasterUserPolicy, T>();
        return builder;
    }

    /// <summary>
    /// Replaces the last-login store behind LOGIN-DELAY (in memory by default) with <typeparamref name="T"/>, e.g. one
    /// shared by several servers.
    /// </summary>
    public static Pop3ServerBuilder AddLoginHistory<T>(this Pop3ServerBuilder builder)
        where T : class, IPop3LoginHistory
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.RemoveAll<IPop3LoginHistory>();
        builder.Services.AddSingleton<IPop3LoginHistory, T>();
        return builder;
    }

    /// <summary>
    /// Replaces where address bans and users' familiar addresses are kept (in memory, or in
    /// <see cref="Pop3AuthenticationOptions.StateFile"/>, by default) with <typeparamref name="T"/>, e.g. one shared by
    /// several servers.
    /// </summary>
    public static Pop3ServerBuilder AddLockoutStore<T>(this Pop3ServerBuilder builder)
        where T : class, IPop3LockoutStore
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.RemoveAll<IPop3LockoutStore>();
        builder.Services.AddSingleton<IPop3LockoutStore, T>();
        return builder;
    }

    private static Pop3ServerBuilder ReplaceAuthenticator(this Pop3ServerBuilder builder, ServiceDescriptor descriptor)
    {
        builder.Services.RemoveAll<IPop3Authenticator>();

        // Another authenticator knows its own users: the users file no longer says who receives mail.
        var usersFileDirectory = builder.Services.Where(d => d.ServiceType == typeof(Delivery.IPop3UserDirectory)
            && d.ImplementationType == typeof(Delivery.UsersFileUserDirectory)).ToList();
        foreach (var registration in usersFileDirectory)
        {
            builder.Services.Remove(registration);
        }

        builder.Services.Add(descriptor);
        return builder;
    }
}

/// <summary>Reads the users file at start-up, so that bad lines are reported then rather than at the first login.</summary>
internal sealed class UsersFileLoader(IServiceProvider services) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        // Only if the users file is still the authenticator: a later AddAuthenticator may have replaced it,
        // and then a missing users file is no reason not to start. Building it validates the options.
        _ = services.GetService<IPop3Authenticator>();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
