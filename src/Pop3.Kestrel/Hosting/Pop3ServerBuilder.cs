using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Pop3.Kestrel.Authentication;
using Pop3.Kestrel.Maildrops;
using Pop3.Kestrel.Protocol;
using Pop3.Kestrel.Sessions;

namespace Pop3.Kestrel.Hosting;

/// <summary>
/// Returned by <c>AddPop3Server</c>: the one place where an application plugs in its mail (a maildrop), its logins
/// (an authenticator and its guards), its own verbs and hooks, and LMTP delivery. Every method returns the builder.
/// </summary>
// RS0026: the two callback AddMaildrop overloads differ in their delegates' arity (with or without a cancellation
// token), so a call with lambdas always picks one; the optional size callback cannot make it ambiguous.
#pragma warning disable RS0026
public sealed class Pop3ServerBuilder(IServiceCollection services)
{
    /// <summary>The application's services.</summary>
    public IServiceCollection Services { get; } = services;

    /// <summary>Uses <typeparamref name="TMaildrop"/> (scoped: one per session) as the mailbox backend, replacing any other.</summary>
    public Pop3ServerBuilder AddMaildrop<TMaildrop>()
        where TMaildrop : class, IMaildrop
    {
        Services.RemoveAll<IMaildrop>();
        Services.AddScoped<IMaildrop, TMaildrop>();
        return this;
    }

    /// <summary>
    /// Serves mailboxes through four functions of the mailbox name (Net::Server::POP3's synopsis, in C#), replacing any
    /// other maildrop. A second session for the same mailbox in this process gets <c>-ERR [IN-USE]</c>.
    /// <code>
    /// builder.AddPop3Server()
    ///     .AddMaildrop(
    ///         list: user => store.IdsOf(user),
    ///         retrieve: (user, id) => store.Open(user, id),
    ///         delete: (user, ids) => store.Remove(user, ids),
    ///         size: (user, id) => store.SizeOf(user, id));
    /// </code>
    /// </summary>
    /// <param name="list">The ids of a mailbox's messages, oldest first (called once per session).</param>
    /// <param name="retrieve">The raw bytes of one message, as a stream the framework disposes.</param>
    /// <param name="delete">Removes ids at UPDATE; an id already gone must not throw.</param>
    /// <param name="size">Optional: the POP3 size (CRLF octets) of a message, or null to let the framework measure it.</param>
    public Pop3ServerBuilder AddMaildrop(
        Func<string, IEnumerable<string>> list,
        Func<string, string, Stream> retrieve,
        Action<string, IReadOnlyList<string>> delete,
        Func<string, string, long?>? size = null)
    {
        ArgumentNullException.ThrowIfNull(list);
        ArgumentNullException.ThrowIfNull(retrieve);
        ArgumentNullException.ThrowIfNull(delete);
        return AddMaildrop(
            (user, _) => ValueTask.FromResult(list(user)),
            (user, id, _) => ValueTask.FromResult(retrieve(user, id)),
            (user, ids, _) =>
            {
                delete(user, ids);
                return ValueTask.CompletedTask;
            },
            size is null ? null : (user, id, _) => ValueTask.FromResult(size(user, id)));
    }

    /// <summary>
    /// Serves mailboxes through four asynchronous functions of the mailbox name, each given the session's cancellation
    /// token, replacing any other maildrop. Callbacks that throw while the mailbox is opened or listed make the login
    /// fail with <c>-ERR [SYS/TEMP]</c>.
    /// </summary>
    /// <param name="list">The ids of a mailbox's messages, oldest first (called once per session).</param>
    /// <param name="retrieve">The raw bytes of one message, as a stream the framework disposes.</param>
    /// <param name="delete">Removes ids, all at once, at UPDATE; an id already gone must not be an error.</param>
    /// <param name="size">
    /// Optional: the POP3 size of a message (octets with CRLF line ends, a missing final CRLF counted), or null when
    /// unknown; the framework then reads each message once to measure it and remembers the result.
    /// </param>
    public Pop3ServerBuilder AddMaildrop(
        Func<string, CancellationToken, ValueTask<IEnumerable<string>>> list,
        Func<string, string, CancellationToken, ValueTask<Stream>> retrieve,
        Func<string, IReadOnlyList<string>, CancellationToken, ValueTask> delete,
        Func<string, string, CancellationToken, ValueTask<long?>>? size = null)
    {
        ArgumentNullException.ThrowIfNull(list);
        ArgumentNullException.ThrowIfNull(retrieve);
        ArgumentNullException.ThrowIfNull(delete);
        Services.RemoveAll<DelegateMaildropCallbacks>();
        Services.AddSingleton(new DelegateMaildropCallbacks(list, retrieve, delete, size));
        Services.TryAddSingleton<DelegateMaildropLocks>();
        return AddMaildrop<DelegateMaildrop>();
    }

    /// <summary>Serves mailboxes kept in memory; fill them through the <see cref="InMemoryMailStore"/> singleton.</summary>
    public Pop3ServerBuilder AddInMemoryMaildrop(Action<InMemoryMailStore>? fill = null)
    {
        var store = new InMemoryMailStore();
        fill?.Invoke(store);
        Services.RemoveAll<InMemoryMailStore>();
        Services.AddSingleton(store);
        return AddMaildrop<InMemoryMaildrop>();
    }

    /// <summary>
    /// Wraps the maildrop registered so far with the workarounds named in <c>Pop3:ClientWorkarounds</c> (Dovecot's
    /// <c>pop3_client_workarounds</c>: <c>outlook-no-nuls</c>, <c>oe-ns-eoh</c>; none: nothing changes). Call it after
    /// the maildrop is registered. An unknown name stops start-up, with the other settings' errors.
    /// </summary>
    /// <exception cref="InvalidOperationException">A workaround is named and no maildrop is registered yet.</exception>
    public Pop3ServerBuilder AddClientWorkarounds(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ClientWorkaroundsSetting.Add(Services, configuration);
        return this;
    }

    /// <summary>Authenticates with <paramref name="authenticate"/>(user, password, connection, cancellation), replacing any other authenticator.</summary>
    public Pop3ServerBuilder AddAuthenticator(
        Func<string, string, Pop3ConnectionInfo, CancellationToken, ValueTask<Pop3AuthenticationResult>> authenticate)
    {
        ArgumentNullException.ThrowIfNull(authenticate);
        Services.RemoveAll<IPop3Authenticator>();
        Services.AddSingleton<IPop3Authenticator>(new DelegateAuthenticator(authenticate));
        return this;
    }

    /// <summary>Authenticates with <typeparamref name="T"/>, a singleton built by dependency injection, replacing any other authenticator.</summary>
    public Pop3ServerBuilder AddAuthenticator<T>()
        where T : class, IPop3Authenticator =>
        Replace<IPop3Authenticator, T>();

    /// <summary>
    /// Lets the users <typeparamref name="T"/> approves log in as others with AUTH PLAIN's authorization identity
    /// (master users). Replaces any policy registered before.
    /// </summary>
    public Pop3ServerBuilder AddMasterUserPolicy<T>()
        where T : class, IPop3MasterUserPolicy =>
        Replace<IPop3MasterUserPolicy, T>();

    /// <summary>
    /// Replaces the last-login store behind LOGIN-DELAY (in memory by default) with <typeparamref name="T"/>, e.g. one
    /// shared by several servers.
    /// </summary>
    public Pop3ServerBuilder AddLoginHistory<T>()
        where T : class, IPop3LoginHistory =>
        Replace<IPop3LoginHistory, T>();

    /// <summary>
    /// Replaces where address bans and users' familiar addresses are kept (in memory, or in
    /// <see cref="Pop3AuthenticationOptions.StateFile"/>, by default) with <typeparamref name="T"/>, e.g. one shared by
    /// several servers.
    /// </summary>
    public Pop3ServerBuilder AddLockoutStore<T>()
        where T : class, IPop3LockoutStore =>
        Replace<IPop3LockoutStore, T>();

    /// <summary>
    /// Counts guesses in <typeparamref name="T"/> (a singleton) instead of this node's memory, so that bans,
    /// lockouts and the per user+address limit hold for every node that uses the same store.
    /// </summary>
    public Pop3ServerBuilder AddGuessStore<T>()
        where T : class, IPop3GuessStore
    {
        Replace<IPop3GuessStore, T>();
        Services.RemoveAll<IPop3GuessCounters>();
        Services.AddSingleton<IPop3GuessCounters, Pop3StoredGuessCounters>();
        return this;
    }

    /// <summary>Makes LOGIN-DELAY and EXPIRE vary by user, replacing any policy registered before.</summary>
    public Pop3ServerBuilder AddUserPolicy<TPolicy>()
        where TPolicy : class, IPop3UserPolicy =>
        Replace<IPop3UserPolicy, TPolicy>();

    /// <summary>
    /// Replaces the handler of the built-in verb <typeparamref name="THandler"/> names in <see cref="IPop3CommandHandler.Command"/>;
    /// the last one registered for a verb wins. New verbs are added with <see cref="AddCommand{THandler}"/>.
    /// </summary>
    public Pop3ServerBuilder AddCommandHandler<THandler>()
        where THandler : class, IPop3CommandHandler
    {
        Services.AddSingleton<IPop3CommandHandler, THandler>();
        return this;
    }

    /// <summary>
    /// Adds a verb of its own, executed by <typeparamref name="THandler"/> (a singleton), in <paramref name="states"/>, and
    /// announced in CAPA as <paramref name="capability"/> where it may run (null: not announced). Built-in verbs are
    /// replaced with <see cref="AddCommandHandler{THandler}"/> instead.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="verb"/> is not 1 to 40 ASCII letters and digits, or names a built-in verb.</exception>
    public Pop3ServerBuilder AddCommand<THandler>(string verb, Pop3CommandStates states, string? capability = null)
        where THandler : class, IPop3CommandHandler
    {
        ArgumentException.ThrowIfNullOrEmpty(verb);
        if (verb.Length > 40 || !verb.All(char.IsAsciiLetterOrDigit))
        {
            throw new ArgumentException($"The verb '{verb}' must be 1 to 40 ASCII letters and digits.", nameof(verb));
        }

        if (Pop3CommandParser.Parse(System.Text.Encoding.ASCII.GetBytes(verb), out _) != Pop3Command.Unknown)
        {
            throw new ArgumentException($"'{verb}' is a built-in verb: replace its handler with AddCommandHandler<T>().", nameof(verb));
        }

        if (states == 0 || (states & ~Pop3CommandStates.Any) != 0)
        {
            throw new ArgumentException($"'{states}' is not a set of states a verb may run in.", nameof(states));
        }

        Services.TryAddSingleton<THandler>();
        Services.AddSingleton(sp => new Pop3VerbRegistration(verb, states, capability, sp.GetRequiredService<THandler>()));
        return this;
    }

    /// <summary>Adds hooks (scoped: one per session) called when a client connects and when its session ends.</summary>
    public Pop3ServerBuilder AddSessionHooks<THooks>()
        where THooks : class, IPop3SessionHooks
    {
        Services.AddScoped<IPop3SessionHooks, THooks>();
        return this;
    }

    /// <summary>
    /// Serves LMTP (RFC 2033) on every <c>Pop3:Lmtp:Endpoints</c> entry (none by default, so nothing listens until one
    /// is configured): an MTA such as Postfix delivers through it into the store's <see cref="Delivery.IPop3MailDelivery"/>,
    /// for the users the <see cref="Delivery.IPop3UserDirectory"/> knows. Settings are checked at start-up.
    /// </summary>
    public Pop3ServerBuilder AddLmtp()
    {
        LmtpRegistration.Add(Services);
        return this;
    }

    private Pop3ServerBuilder Replace<TService, TImplementation>()
        where TService : class
        where TImplementation : class, TService
    {
        Services.RemoveAll<TService>();
        Services.AddSingleton<TService, TImplementation>();
        return this;
    }
}
#pragma warning restore RS0026
