using System.Buffers;
using System.IO.Pipelines;
using Microsoft.Extensions.DependencyInjection;
using Pop3.Kestrel.Protocol;

namespace Pop3.Kestrel.Sessions;

/// <summary>
/// One session's state, as command handlers see it: read-only, except through the few methods that say what they change.
/// The session applies every state transition from the handlers' results; the context never exposes Kestrel types.
/// </summary>
public sealed class Pop3SessionContext
{
    private readonly Pop3SessionPipes _pipes;

    internal Pop3SessionContext(Pop3ConnectionInfo connection, Pop3SessionPipes pipes, IServiceProvider services, TimeProvider time)
    {
        Connection = connection;
        Services = services;
        _pipes = pipes;
        Counters = new Pop3SessionCounters(time);
    }

    /// <summary>What the server knows of the client connection (read-only).</summary>
    public Pop3ConnectionInfo Connection { get; }

    /// <summary>Where replies go (see <see cref="Pop3Replies"/> for the writers). Handlers write; the session flushes once per batch.</summary>
    public PipeWriter Output => _pipes.Output!;

    /// <summary>The session's DI scope: where a handler finds the per-session services it needs.</summary>
    public IServiceProvider Services { get; }

    /// <summary>AUTHORIZATION, TRANSACTION or UPDATE; changed only by the session, from the handlers' results.</summary>
    public Pop3SessionState State { get; internal set; }

    /// <summary>The name given with USER, waiting for PASS (<see cref="SetPendingUser"/>).</summary>
    public string? PendingUser { get; private set; }

    /// <summary>The authenticated user, once logged in.</summary>
    public string? User { get; private set; }

    /// <summary>The open maildrop, once logged in.</summary>
    public Pop3Maildrop? Maildrop { get; private set; }

    /// <summary>True once the client sent UTF8 (RFC 6856): user names and passwords may then be UTF-8.</summary>
    public bool Utf8Enabled { get; private set; }

    /// <summary>The exchange that takes the next client line instead of the command parser (<see cref="ContinueWith"/>).</summary>
    internal IPop3LineContinuation? Continuation { get; private set; }

    /// <summary>The longest line a continuation, or an AUTH command with an initial response, may send, CRLF included.</summary>
    internal int MaxContinuationLineLength => Pop3CommandDispatcher.MaxAuthLineLength;

    /// <summary>True if STLS can be offered now: a certificate exists, the connection is not yet encrypted, nobody is logged in.</summary>
    public bool CanStartTls => Tls is { IsAvailable: true } && !Connection.IsSecure && State == Pop3SessionState.Authorization;

    /// <summary>The user's LOGIN-DELAY and EXPIRE, once logged in.</summary>
    public Pop3UserSettings UserSettings { get; private set; }

    /// <summary>STLS support for this connection, or null where the host offers none.</summary>
    internal IPop3TlsUpgrade? Tls { get; init; }

    /// <summary>What the session has done so far.</summary>
    internal Pop3SessionCounters Counters { get; }

    /// <summary>Remembers the name given with USER for the PASS that follows; null forgets it.</summary>
    public void SetPendingUser(string? user) => PendingUser = user;

    /// <summary>Lets USER, PASS and APOP take UTF-8 from now on (the UTF8 command, RFC 6856).</summary>
    public void EnableUtf8() => Utf8Enabled = true;

    /// <summary>Hands the next client line to <paramref name="continuation"/> instead of the command parser, once.</summary>
    internal void ContinueWith(IPop3LineContinuation continuation) => Continuation = continuation;

    /// <summary>Flushes when enough output has piled up (long listings); false if the client is gone.</summary>
    public ValueTask<bool> FlushIfFullAsync(CancellationToken cancellationToken) => _pipes.FlushIfFullAsync(cancellationToken);

    /// <summary>Writes a fixed reply, usually one of <see cref="Pop3Replies"/>.</summary>
    public void Write(ReadOnlySpan<byte> reply) => Output.Write(reply);

    /// <summary>Writes a line of ASCII text followed by CRLF (CAPA lines, greetings built at run time).</summary>
    public void WriteAscii(string text) => Pop3Replies.WriteAscii(Output, text);

    /// <summary>
    /// Reads a message number argument and checks it names a listed, undeleted message. On failure the
    /// <c>-ERR</c> reply is already written.
    /// </summary>
    public bool TryGetMessage(ReadOnlySpan<byte> argument, out int number)
    {
        var reply = Pop3MessageNumber.Check(argument, Maildrop, out number);
        Write(reply);
        return reply.IsEmpty;
    }

    /// <summary>
    /// Asks, before a SASL exchange checks a password, digest, proof or token, whether this guess at <paramref name="user"/>
    /// (null when the mechanism learns the user only by checking) may be checked: the address may be banned, the user
    /// locked out, or too many of its guesses in flight. False: check nothing and return <see cref="Authentication.Pop3SaslStep.Failure"/>.
    /// </summary>
    public ValueTask<bool> MayCheckCredentialsAsync(string? user, CancellationToken cancellationToken) =>
        Authentication.Pop3LoginGuard.MayCheckAsync(this, user, cancellationToken);

    /// <summary>
    /// Finishes a successful authentication (USER/PASS, APOP or AUTH): LOGIN-DELAY and limits, then opens and lists
    /// <paramref name="mailbox"/> and writes the reply. Returns <see cref="Pop3CommandResult.LoggedIn"/> or, with the
    /// <c>-ERR</c> written, <see cref="Pop3CommandResult.Failed"/>.
    /// </summary>
    public ValueTask<Pop3CommandResult> CompleteLoginAsync(string user, string mailbox, CancellationToken cancellationToken) =>
        Services.GetRequiredService<Pop3LoginCompletion>().CompleteAsync(this, new Pop3Login(user, mailbox, Password: null), cancellationToken);

    /// <summary>
    /// Finishes a successful authentication with a password the client sent in the clear (PASS, SASL PLAIN or LOGIN),
    /// so a backend that logs in elsewhere with the same credentials (the upstream backend) can use it.
    /// </summary>
    public ValueTask<Pop3CommandResult> CompleteLoginAsync(string user, string mailbox, string password, CancellationToken cancellationToken) =>
        Services.GetRequiredService<Pop3LoginCompletion>().CompleteAsync(this, new Pop3Login(user, mailbox, password), cancellationToken);

    /// <summary>The login went through: the session is now the user's, over <paramref name="maildrop"/>.</summary>
    internal void LoggedIn(string user, Pop3Maildrop maildrop, Pop3UserSettings settings)
    {
        (User, Maildrop, UserSettings) = (user, maildrop, settings);
        PendingUser = null;
    }

    /// <summary>The session takes the pending continuation to run it, or drops it (an over-long line).</summary>
    internal void EndContinuation() => Continuation = null;

    /// <summary>
    /// STLS succeeded: replies go over TLS now, and (RFC 2595 §4) what the server learned before TLS is forgotten,
    /// as the client must forget what it learned.
    /// </summary>
    internal void Secured()
    {
        Connection.MarkSecure();
        PendingUser = null;
        Continuation = null;
    }
}
