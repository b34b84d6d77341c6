using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Pop3.Kestrel.Admin;
using Pop3.Kestrel.Commands;
using Pop3.Kestrel.Connections;
using Pop3.Kestrel.Maildrops;
using Pop3.Kestrel.Sessions;
using Pop3.Kestrel.Tls;

namespace Pop3.Kestrel.Hosting;

/// <summary>
/// Registers the POP3 server (<c>AddPop3Server</c>, which returns the <see cref="Pop3ServerBuilder"/>) and the strict
/// settings every package's options go through (<c>AddPop3Settings</c>, <c>DeclarePop3Setting</c>); tells where a
/// listener is bound once the server runs (<c>GetPop3EndPoint</c>); maps the operator's endpoints
/// (<c>MapPop3Operations</c>) and adds the readiness check (<c>AddPop3Readiness</c>).
/// </summary>
// RS0026: the two AddPop3Server overloads extend different types (services, host builder), so the optional
// configure callback cannot make a call ambiguous.
#pragma warning disable RS0026
public static class Pop3HostingExtensions
{
    /// <summary>
    /// Adds the POP3 server: options bound from <c>Pop3</c> and validated at start-up, Kestrel listeners
    /// from <c>Pop3:Endpoints</c>, every RFC 1939 command. Plug in a maildrop and an authenticator with the
    /// returned builder.
    /// </summary>
    public static Pop3ServerBuilder AddPop3Server(this IServiceCollection services, Action<Pop3ServerOptions>? configure = null)
    {
        services.AddPop3Settings<Pop3ServerOptions>(Pop3ServerOptions.SectionName).ValidateOnStart();
        if (configure is not null)
        {
            services.Configure(configure);
        }

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<Pop3ServerOptions>, Pop3ServerOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IConfigureOptions<KestrelServerOptions>, Pop3KestrelOptionsSetup>());
        services.TryAddSingleton<Pop3Listeners>();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<Pop3CommandTable>();
        services.TryAddSingleton<Pop3Capabilities>();
        services.TryAddSingleton<Pop3SessionFactory>();
        services.TryAddSingleton<Pop3Update>();
        services.TryAddScoped(static sp => sp.GetRequiredService<Pop3SessionFactory>().Create(sp));
        services.TryAddScoped<Pop3LoginCompletion>();
        services.TryAddSingleton<Pop3ConnectionHandler>();
        services.TryAddSingleton<Pop3MessageSender>();
        services.TryAddSingleton<Pop3MessageSizeCache>();
        services.AddMetrics();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IConfigureOptions<HostOptions>, Pop3DrainSetup>());
        services.TryAddSingleton<Diagnostics.Pop3Metrics>();
        services.TryAddSingleton<Admin.Pop3SessionRegistry>();

        // Built-in hooks, before any the application adds: they see every session start first and end first.
        services.TryAddEnumerable(ServiceDescriptor.Scoped<IPop3SessionHooks, Diagnostics.Pop3MetricsHooks>());
        services.TryAddEnumerable(ServiceDescriptor.Scoped<IPop3SessionHooks, Admin.Pop3SessionRegistryHooks>());
        services.TryAddEnumerable(ServiceDescriptor.Scoped<IPop3SessionHooks, Diagnostics.Pop3SummaryLogHooks>());

        AddBuiltIn<UserCommandHandler>(services);
        AddBuiltIn<PassCommandHandler>(services);
        AddBuiltIn<QuitCommandHandler>(services);
        AddBuiltIn<CapaCommandHandler>(services);
        AddBuiltIn<StatCommandHandler>(services);
        AddBuiltIn<ListCommandHandler>(services);
        AddBuiltIn<RetrCommandHandler>(services);
        AddBuiltIn<DeleCommandHandler>(services);
        AddBuiltIn<NoopCommandHandler>(services);
        AddBuiltIn<RsetCommandHandler>(services);
        AddBuiltIn<TopCommandHandler>(services);
        AddBuiltIn<UidlCommandHandler>(services);

        services.TryAddSingleton<Pop3CertificateStore>();
        services.TryAddSingleton<Pop3TlsPolicy>();
        services.TryAddSingleton<StlsCommandHandler>();
        services.AddSingleton<IPop3CommandHandler>(sp => sp.GetRequiredService<StlsCommandHandler>());
        services.AddSingleton<IPop3CapabilityProvider>(sp => sp.GetRequiredService<StlsCommandHandler>());
        services.AddHostedService<Pop3StartupCheck>();
        Pop3AuthenticationRegistration.AddPop3Authentication(services);
        return new Pop3ServerBuilder(services);
    }

    /// <summary>Adds the POP3 server to a host builder (<c>WebApplication.CreateBuilder(args).AddPop3Server()</c>).</summary>
    public static Pop3ServerBuilder AddPop3Server(this IHostApplicationBuilder builder, Action<Pop3ServerOptions>? configure = null) =>
        builder.Services.AddPop3Server(configure);

    /// <summary>
    /// Binds <typeparamref name="TOptions"/> from <paramref name="sectionName"/> (as <c>BindConfiguration</c> does,
    /// reloads included) and makes every key it binds a known setting. Settings are strict: every key under <c>Pop3</c>
    /// must be one a registered options class binds, or one declared with <see cref="DeclarePop3Setting"/>, and every
    /// value must convert; the first options bound check the whole section and fail start-up with an
    /// <see cref="OptionsValidationException"/> naming each unknown key (and the known key it probably meant) and each
    /// value that does not convert (and what is accepted).
    /// </summary>
    /// <param name="services">The application's services.</param>
    /// <param name="sectionName">The section, e.g. <c>Pop3:Maildir</c>.</param>
    /// <returns>The options builder, to add validation.</returns>
    public static OptionsBuilder<TOptions> AddPop3Settings<TOptions>(this IServiceCollection services, string sectionName)
        where TOptions : class
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(sectionName);
        services.DeclarePop3Setting(sectionName, typeof(TOptions));
        var options = services.AddOptions<TOptions>();

        // Before the binder runs: it would throw on the first value that does not convert, and skip silently an entry
        // of a dictionary whose value does not convert.
        options.Configure<Pop3SettingsCheck>(static (_, check) => check.ThrowIfInvalid());
        return options.BindConfiguration(sectionName);
    }

    /// <summary>
    /// Makes <paramref name="key"/> a known setting whose value must convert to <paramref name="type"/> (a value type,
    /// <see cref="string"/>, an enum, whose names are then the accepted values, or an options class): for keys read
    /// straight from <c>IConfiguration</c>, or sections bound elsewhere.
    /// </summary>
    /// <param name="services">The application's services.</param>
    /// <param name="key">The key, e.g. <c>Pop3:Store</c>.</param>
    /// <param name="type">What the key's value binds to.</param>
    /// <returns><paramref name="services"/>.</returns>
    public static IServiceCollection DeclarePop3Setting(this IServiceCollection services, string key, Type type)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(key);
        ArgumentNullException.ThrowIfNull(type);
        return services.Declare(new Pop3SettingDeclaration(key, type));
    }

    /// <summary>
    /// The address the POP3 listener <paramref name="name"/> (<c>Pop3:Endpoints:&lt;name&gt;</c>) is bound to: once the
    /// server has started, with the real port even when port 0 was configured (tests, side-by-side instances).
    /// </summary>
    /// <exception cref="InvalidOperationException">No listener has that name, or it is not an IP listener.</exception>
    public static IPEndPoint GetPop3EndPoint(this IServiceProvider services, string name = "Default")
    {
        ArgumentNullException.ThrowIfNull(services);
        return services.GetRequiredService<Pop3Listeners>().EndPointOf(name);
    }

    internal static IServiceCollection Declare(this IServiceCollection services, Pop3SettingDeclaration declaration)
    {
        services.TryAddSingleton<Pop3SettingsCheck>();
        services.AddSingleton(declaration);
        return services;
    }

    private static void AddBuiltIn<THandler>(IServiceCollection services)
        where THandler : class, IPop3CommandHandler =>
        services.AddSingleton<IPop3CommandHandler, THandler>();

    /// <summary>
    /// Maps <c>GET /sessions</c>, <c>DELETE /sessions/{id}</c>, <c>DELETE /users/{user}/sessions</c>, <c>GET /bans</c>,
    /// <c>DELETE /bans/{address}</c> and <c>DELETE /users/{user}/lockout</c> (JSON). They carry no authorization of their
    /// own: put the returned group behind one (the Admin package serves it only on its listener, with its token).
    /// </summary>
    public static RouteGroupBuilder MapPop3Operations(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var group = endpoints.MapGroup("");
        group.MapGet("/sessions", (Pop3SessionRegistry registry, TimeProvider time) =>
            Results.Ok(registry.Sessions.Select(s => Pop3SessionView.Of(s, time.GetUtcNow()))));
        group.MapDelete("/sessions/{id}", (string id, Pop3SessionRegistry registry) =>
            registry.Kick(id) ? Results.Ok(new { kicked = 1 }) : Results.NotFound(new { kicked = 0 }));
        group.MapDelete("/users/{user}/sessions", (string user, Pop3SessionRegistry registry) =>
            Results.Ok(new { kicked = registry.KickUser(user) }));
        group.MapGet("/bans", Pop3AdminBans.ListAsync);
        group.MapDelete("/bans/{**address}", Pop3AdminBans.LiftAsync);
        group.MapDelete("/users/{user}/lockout", Pop3AdminBans.UnlockAsync);
        return group;
    }

    /// <summary>
    /// Adds the server's readiness check, tagged <paramref name="tags"/>: unhealthy once the host starts draining, when an
    /// implicit-TLS listener has no certificate, or when a backend's probe says it cannot be reached.
    /// </summary>
    public static IHealthChecksBuilder AddPop3Readiness(this IHealthChecksBuilder builder, params string[] tags)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddCheck<Pop3ReadinessCheck>("pop3", tags: tags);
    }
}
