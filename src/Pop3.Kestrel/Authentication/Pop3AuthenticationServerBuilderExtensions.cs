using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Pop3.Kestrel.Authentication;

namespace Pop3.Kestrel.Hosting;

/// <summary>Plugs an <see cref="IPop3Authenticator"/> into the server. Each call replaces the authenticator registered before.</summary>
public static class Pop3AuthenticationServerBuilderExtensions
{
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
        builder.Services.Add(descriptor);
        return builder;
    }
}
