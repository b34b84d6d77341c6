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
        services.TryAddEnumerable(ServiceDescriptor.Scoped<IPop3SessionHooks, Logging.Pop3SummaryLogHooks>());

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

    /// <summary>Uses <typeparamref name="TMaildrop"/> (scoped: one per session) as the mailbox backend, replacing any other.</summary>
    public static Pop3ServerBuilder AddMaildrop<TMaildrop>(this Pop3ServerBuilder builder)
        where TMaildrop : class, IMaildrop
    {
        builder.Services.RemoveAll<IMaildrop>();
        builder.Services.AddScoped<IMaildrop, TMaildrop>();
        return builder;
    }

    /// <summary>
    /// Replaces the handler of the built-in verb <typeparamref name="THandler"/> names in <see cref="IPop3CommandHandler.Command"/>;
    /// the last one registered for a verb wins. New verbs are added with <see cref="AddCommand{THandler}"/>.
    /// </summary>
    public static Pop3ServerBuilder AddCommandHandler<THandler>(this Pop3ServerBuilder builder)
        where THandler : class, IPop3CommandHandler
    {
        AddBuiltIn<THandler>(builder.Services);
        return builder;
    }

    /// <summary>
    /// Adds a verb of its own, executed by <typeparamref name="THandler"/> (a singleton), in <paramref name="states"/>, and
    /// announced in CAPA as <paramref name="capability"/> where it may run (null: not announced). Built-in verbs are
    /// replaced with <see cref="AddCommandHandler{THandler}"/> instead.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="verb"/> is not 1 to 40 ASCII letters and digits, or names a built-in verb.</exception>
    public static Pop3ServerBuilder AddCommand<THandler>(this Pop3ServerBuilder builder, string verb, Pop3CommandStates states, string? capability = null)
        where THandler : class, IPop3CommandHandler
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(verb);
        if (verb.Length > 40 || !verb.All(char.IsAsciiLetterOrDigit))
        {
            throw new ArgumentException($"The verb '{verb}' must be 1 to 40 ASCII letters and digits.", nameof(verb));
        }

        if (Protocol.Pop3CommandParser.Parse(System.Text.Encoding.ASCII.GetBytes(verb), out _) != Protocol.Pop3Command.Unknown)
        {
            throw new ArgumentException($"'{verb}' is a built-in verb: replace its handler with AddCommandHandler<T>().", nameof(verb));
        }

        if (states == 0 || (states & ~Pop3CommandStates.Any) != 0)
        {
            throw new ArgumentException($"'{states}' is not a set of states a verb may run in.", nameof(states));
        }

        builder.Services.TryAddSingleton<THandler>();
        builder.Services.AddSingleton(sp => new Pop3VerbRegistration(verb, states, capability, sp.GetRequiredService<THandler>()));
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

    private static void AddBuiltIn<THandler>(IServiceCollection services)
        where THandler : class, IPop3CommandHandler =>
        services.AddSingleton<IPop3CommandHandler, THandler>();
}
#pragma warning restore RS0026
