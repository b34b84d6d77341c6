using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Pop3.Kestrel.Commands;
using Pop3.Kestrel.Connections;
using Pop3.Kestrel.Maildrops;
using Pop3.Kestrel.Sessions;
using Pop3.Kestrel.Tls;

namespace Pop3.Kestrel.Hosting;

/// <summary>Registers the POP3 server.</summary>
// RS0026: the two AddPop3Server overloads extend different types (services, host builder), so the optional
// configure callback cannot make a call ambiguous.
#pragma warning disable RS0026
public static class Pop3ServiceCollectionExtensions
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
        services.TryAddSingleton<Pop3ConnectionHandler>();
        services.TryAddSingleton<Pop3MessageSender>();
        services.TryAddSingleton<Pop3MessageSizeCache>();
        services.AddMetrics();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IConfigureOptions<HostOptions>, Pop3DrainSetup>());
        services.TryAddSingleton<Diagnostics.Pop3Metrics>();
        services.TryAddSingleton<Admin.Pop3SessionRegistry>();

        AddCommand<UserCommandHandler>(services);
        AddCommand<PassCommandHandler>(services);
        AddCommand<QuitCommandHandler>(services);
        AddCommand<CapaCommandHandler>(services);
        AddCommand<StatCommandHandler>(services);
        AddCommand<ListCommandHandler>(services);
        AddCommand<RetrCommandHandler>(services);
        AddCommand<DeleCommandHandler>(services);
        AddCommand<NoopCommandHandler>(services);
        AddCommand<RsetCommandHandler>(services);
        AddCommand<TopCommandHandler>(services);
        AddCommand<UidlCommandHandler>(services);

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

    /// <summary>Uses <typeparamref name="TMaildrop"/> (scoped: one per session) as the mailbox backend, replacing any other.</summary>
    public static Pop3ServerBuilder AddMaildrop<TMaildrop>(this Pop3ServerBuilder builder)
        where TMaildrop : class, IMaildrop
    {
        builder.Services.RemoveAll<IMaildrop>();
        builder.Services.AddScoped<IMaildrop, TMaildrop>();
        return builder;
    }

    /// <summary>Adds or replaces the handler of a verb; the last one registered for a verb wins.</summary>
    public static Pop3ServerBuilder AddCommandHandler<THandler>(this Pop3ServerBuilder builder)
        where THandler : class, IPop3CommandHandler
    {
        AddCommand<THandler>(builder.Services);
        return builder;
    }

    /// <summary>Adds hooks called when a client connects and when its session ends.</summary>
    public static Pop3ServerBuilder AddSessionHooks<THooks>(this Pop3ServerBuilder builder)
        where THooks : class, IPop3SessionHooks
    {
        builder.Services.AddScoped<IPop3SessionHooks, THooks>();
        return builder;
    }

    /// <summary>Makes LOGIN-DELAY and EXPIRE vary by user.</summary>
    public static Pop3ServerBuilder AddUserPolicy<TPolicy>(this Pop3ServerBuilder builder)
        where TPolicy : class, IPop3UserPolicy
    {
        builder.Services.RemoveAll<IPop3UserPolicy>();
        builder.Services.AddSingleton<IPop3UserPolicy, TPolicy>();
        return builder;
    }

    /// <summary>Serves mailboxes kept in memory; fill them through the <see cref="InMemoryMailStore"/> singleton.</summary>
    public static Pop3ServerBuilder AddInMemoryMaildrop(this Pop3ServerBuilder builder, Action<InMemoryMailStore>? fill = null)
    {
        var store = new InMemoryMailStore();
        fill?.Invoke(store);
        builder.Services.RemoveAll<InMemoryMailStore>();
        builder.Services.AddSingleton(store);
        return builder.AddMaildrop<InMemoryMaildrop>();
    }

    private static void AddCommand<THandler>(IServiceCollection services)
        where THandler : class, IPop3CommandHandler =>
        services.AddSingleton<IPop3CommandHandler, THandler>();
}
#pragma warning restore RS0026
