using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Pop3.Kestrel.Authentication;
using Pop3.Kestrel.Maildrops;

namespace Pop3.Kestrel.Upstream;

/// <summary>
/// A mailbox on another POP3 server, relayed. Open logs in upstream (the upstream's lock is the lock: its
/// <c>[IN-USE]</c> becomes ours); the listing is the upstream's LIST and UIDL; RETR and TOP stream the upstream's RETR;
/// deletions are sent as DELE only at our UPDATE, followed by the upstream's QUIT, so the upstream commits exactly
/// when we do. A session that ends without UPDATE sends no DELE at all.
/// </summary>
internal sealed partial class Pop3UpstreamMaildrop(
    IOptions<UpstreamOptions> options,
    IUpstreamCredentialSource credentialSource,
    ILogger<Pop3UpstreamMaildrop> logger,
    Pop3LoginCredentials? credentials = null) : IMaildrop
{
    private readonly HashSet<int> _committed = [];
    private Pop3UpstreamConnection? _connection;
    private IReadOnlyList<MaildropMessage>? _snapshot;
    private bool _quit;

    /// <summary>Where upstream latencies are recorded, if anywhere.</summary>
    internal UpstreamMetrics? Metrics { get; init; }

    /// <summary>Why the last open failed, for the client's <c>-ERR</c>; null for the standard text.</summary>
    public string? OpenFailureText { get; private set; }

    /// <summary>Connects and logs in upstream with the credential from the <see cref="IUpstreamCredentialSource"/>.</summary>
    /// <returns>
    /// <see cref="MaildropOpenStatus.InUse"/> if the upstream answered <c>[IN-USE]</c>; <see cref="MaildropOpenStatus.Refused"/>
    /// if the credential source refused the login or the upstream refused the client's own password;
    /// <see cref="MaildropOpenStatus.Unavailable"/> if the upstream cannot be reached or refused a configured credential.
    /// </returns>
    public async ValueTask<MaildropOpenStatus> OpenAsync(string mailbox, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(mailbox);
        if (_connection is not null)
        {
            throw new InvalidOperationException("The maildrop is already open.");
        }

        OpenFailureText = null;
        var settings = options.Value;
        var login = UpstreamSignIn.LoginFor(settings, mailbox, credentials);
        var (credential, noCredential, text) = await UpstreamSignIn.GetCredentialAsync(credentialSource, login, logger, cancellationToken);
        if (credential is null)
        {
            OpenFailureText = text;
            return noCredential;
        }

        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        Pop3UpstreamConnection? connection = null;
        try
        {
            connection = await Pop3UpstreamConnection.ConnectAsync(
                settings.Host, settings.EffectivePort, settings.Tls, settings.AcceptAnyCertificate, settings.Timeout, cancellationToken);
            var refusal = credential.Kind switch
            {
                UpstreamCredentialKind.Password => await connection.LoginAsync(login.UpstreamUser, credential.Password!, cancellationToken),
                _ => await connection.AuthenticateAsync(credential.Mechanism!, cancellationToken),
            };
            if (refusal is not null)
            {
                throw new Pop3UpstreamException(refusal) { IsLoginRefusal = true };
            }
        }
        catch (Pop3UpstreamException e) when (e.InUse)
        {
            Metrics?.Record(UpstreamProtocol.Pop3, "login", false, started);
            LogInUse(logger, mailbox);
            await CloseAsync(connection, quit: false);
            return MaildropOpenStatus.InUse;
        }
        catch (Pop3UpstreamException e) when (e.IsLoginRefusal && UpstreamSignIn.IsClientsOwnPassword(login, credential))
        {
            Metrics?.Record(UpstreamProtocol.Pop3, "login", false, started);
            LogUpstreamRefused(logger, mailbox, settings.Host, settings.EffectivePort, e.Message);
            await CloseAsync(connection, quit: false);
            OpenFailureText = UpstreamSignIn.RefusedMessage;
            return MaildropOpenStatus.Refused;
        }
        catch (Exception e) when (e is IOException or SocketException or System.Security.Authentication.AuthenticationException or MailKit.Security.AuthenticationException or MailKit.Security.SaslException or OperationCanceledException)
        {
            Metrics?.Record(UpstreamProtocol.Pop3, "login", false, started);
            LogUpstreamFailed(logger, mailbox, settings.Host, settings.EffectivePort, e);
            await CloseAsync(connection, quit: false);
            return MaildropOpenStatus.Unavailable;
        }

        Metrics?.Record(UpstreamProtocol.Pop3, "login", true, started);
        _connection = connection;
        return MaildropOpenStatus.Opened;
    }

    /// <summary>The upstream's LIST and UIDL, taken once.</summary>
    public async ValueTask<IReadOnlyList<MaildropMessage>> ListAsync(CancellationToken cancellationToken)
    {
        var connection = EnsureOpen();
        if (_snapshot is not null)
        {
            return _snapshot;
        }

        var count = await connection.CountAsync(cancellationToken);
        var sizes = count == 0 ? [] : await connection.SizesAsync(count, cancellationToken);
        var uids = count == 0 ? [] : await connection.UidsAsync(count, cancellationToken);

        if (uids is null)
        {
            LogNoUidl(logger);
        }

        var messages = new MaildropMessage[sizes.Length];
        for (var i = 0; i < messages.Length; i++)
        {
            // Without UIDL upstream no id is stable; the number and size at least tell messages apart in one session.
            messages[i] = new MaildropMessage(uids?[i] ?? $"n{i + 1}s{sizes[i]}", sizes[i], i);
        }

        _snapshot = messages;
        return messages;
    }

    /// <summary>
    /// The upstream's RETR of the message, dot-stuffing removed (CRLF line ends, as the upstream sent it), read off the
    /// upstream connection as the caller reads: memory stays bounded whatever the size. A stream left part-read is
    /// drained before the next upstream command.
    /// </summary>
    public async ValueTask<Stream> OpenMessageAsync(MaildropMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var succeeded = false;
        try
        {
            var stream = await EnsureOpen().RetrieveAsync(IndexOf(message) + 1, cancellationToken);
            succeeded = true;
            return stream;
        }
        finally
        {
            Metrics?.Record(UpstreamProtocol.Pop3, "fetch", succeeded, started);
        }
    }

    /// <summary>
    /// Sends DELE for each message, then QUIT, so the upstream commits; fails if its QUIT fails. Afterwards the upstream
    /// session is over: committing again is only allowed for messages already committed (a no-op).
    /// </summary>
    public async ValueTask CommitDeletionsAsync(IReadOnlyList<MaildropMessage> deleted, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(deleted);
        var indexes = deleted.Select(IndexOf).Where(i => !_committed.Contains(i)).Distinct().ToArray();
        if (indexes.Length == 0)
        {
            return;
        }

        if (_quit)
        {
            throw new InvalidOperationException("The upstream session is over: deletions were already committed.");
        }

        var connection = EnsureOpen();
        foreach (var index in indexes)
        {
            await connection.DeleteAsync(index + 1, cancellationToken);
        }

        _quit = true;
        await connection.QuitAsync(cancellationToken);

        _committed.UnionWith(indexes);
        LogCommitted(logger, indexes.Length);
    }

    /// <summary>Ends the upstream session with a QUIT that deletes nothing (no DELE was sent), and waits for the upstream to hang up, so its lock is free.</summary>
    public async ValueTask DisposeAsync()
    {
        var connection = _connection;
        _connection = null;
        _snapshot = null;
        if (connection is not null)
        {
            await CloseAsync(connection, quit: !_quit);
        }
    }

    private Pop3UpstreamConnection EnsureOpen() => _connection ?? throw new InvalidOperationException("The maildrop is not open.");

    private static int IndexOf(MaildropMessage message) =>
        message.Key as int? ?? throw new ArgumentException("The message was not listed by a POP3 upstream maildrop.", nameof(message));

    private async Task CloseAsync(Pop3UpstreamConnection? connection, bool quit)
    {
        if (connection is null)
        {
            return;
        }

        try
        {
            if (quit)
            {
                using var limit = new CancellationTokenSource(options.Value.Timeout);
                await connection.QuitAsync(limit.Token);
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException)
        {
            LogCloseFailed(logger, e);
        }
        finally
        {
            await connection.DisposeAsync();
        }
    }



    [LoggerMessage(Level = LogLevel.Information, Message = "The upstream {Host}:{Port} refused the client's own password for {Mailbox}: {Reply}")]
    private static partial void LogUpstreamRefused(ILogger logger, string mailbox, string host, int port, string reply);

    [LoggerMessage(Level = LogLevel.Information, Message = "Upstream mailbox of {Mailbox} is in use")]
    private static partial void LogInUse(ILogger logger, string mailbox);

    [LoggerMessage(Level = LogLevel.Error, Message = "Upstream login for {Mailbox} at {Host}:{Port} failed")]
    private static partial void LogUpstreamFailed(ILogger logger, string mailbox, string host, int port, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The upstream has no UIDL: unique ids are not stable across sessions")]
    private static partial void LogNoUidl(ILogger logger);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Upstream committed {Count} deletion(s)")]
    private static partial void LogCommitted(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Closing the upstream session failed")]
    private static partial void LogCloseFailed(ILogger logger, Exception exception);
}
