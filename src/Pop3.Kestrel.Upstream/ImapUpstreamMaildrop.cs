using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using MailKit;
using MailKit.Net.Imap;
using MailKit.Search;
using MailKit.Security;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Pop3.Kestrel.Authentication;
using Pop3.Kestrel.Maildrops;

namespace Pop3.Kestrel.Upstream;

/// <summary>
/// One folder of an IMAP mailbox (<c>Pop3:Upstream:Imap:Folder</c>) as a maildrop. Open logs in and selects the folder;
/// the listing is its UIDs and RFC822.SIZEs, taken once; a message is read with <c>BODY.PEEK[]</c> in bounded chunks by
/// UID, so a message expunged meanwhile by another client is an error, never another message; deletions are sent only at
/// UPDATE, by UID (<c>UID STORE +FLAGS \Deleted</c> and <c>UID EXPUNGE</c>, or a move to
/// <c>Pop3:Upstream:Imap:TrashFolder</c>). A session that ends without UPDATE changes nothing upstream. IMAP has no
/// mailbox lock: the gateway holds one per folder in its own process (a second session gets <c>[IN-USE]</c>); another
/// gateway process or an IMAP client may still use the folder, which is safe because everything goes by UID.
/// </summary>
/// <remarks>
/// The UIDL is Dovecot's default <c>pop3_uidl_format</c>, <c>%08Xu%08Xv</c>: the UID then the UIDVALIDITY in 8
/// lower-case hex digits each, so it is stable across sessions, and a mailbox that Dovecot served over POP3 keeps its
/// UIDLs. IMAP cannot carry NUL (RFC 3501 §4.3): what the upstream sends instead (Dovecot: 0x80) is what the client gets.
/// </remarks>
internal sealed partial class ImapUpstreamMaildrop(
    IOptions<UpstreamOptions> options,
    IUpstreamCredentialSource credentialSource,
    ILogger<ImapUpstreamMaildrop> logger,
    Pop3LoginCredentials? credentials = null) : IMaildrop
{
    private readonly UpstreamOptions _settings = options.Value;
    private readonly IUpstreamCredentialSource _credentialSource = credentialSource;
    private readonly ILogger<ImapUpstreamMaildrop> _logger = logger;
    private readonly Pop3LoginCredentials? _credentials = credentials;
    private ImapClient? _client;
    private IMailFolder? _folder;
    private IReadOnlyList<MaildropMessage>? _snapshot;

    /// <summary>The UIDVALIDITY each folder had when last opened in this process (shared by the sessions).</summary>
    internal UidValidityRegistry Validities { get; init; } = new();

    /// <summary>Where upstream latencies are recorded, if anywhere.</summary>
    internal UpstreamMetrics? Metrics { get; init; }

    /// <summary>The per-process exclusive access to each upstream folder (shared by the sessions).</summary>
    internal UpstreamMailboxLocks Locks { get; init; } = new();

    private string? _lockKey;

    /// <summary>Why the last open failed, for the client's <c>-ERR</c>; null for the standard text.</summary>
    public string? OpenFailureText { get; private set; }

    /// <summary>Logs in upstream with the credential from the <see cref="IUpstreamCredentialSource"/> and selects the folder.</summary>
    /// <returns>
    /// <see cref="MaildropOpenStatus.Refused"/> if the credential source refused the login or the upstream refused the
    /// client's own password; <see cref="MaildropOpenStatus.Unavailable"/> if the upstream or the folder cannot be reached
    /// or a configured credential was refused.
    /// </returns>
    public async ValueTask<MaildropOpenStatus> OpenAsync(string mailbox, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(mailbox);
        if (_client is not null)
        {
            throw new InvalidOperationException("The maildrop is already open.");
        }

        OpenFailureText = null;
        var login = UpstreamSignIn.LoginFor(_settings, mailbox, _credentials);
        var (credential, noCredential, text) = await UpstreamSignIn.GetCredentialAsync(_credentialSource, login, _logger, cancellationToken);
        if (credential is null)
        {
            OpenFailureText = text;
            return noCredential;
        }

        var folderName = _settings.Imap.Folder.Trim();
        var lockKey = string.Create(CultureInfo.InvariantCulture, $"{_settings.Host}:{_settings.EffectivePort}/{login.UpstreamUser}/{folderName}");
        if (!Locks.TryAcquire(lockKey, this))
        {
            LogInUse(_logger, mailbox);
            return MaildropOpenStatus.InUse;
        }

        var client = new ImapClient { Timeout = (int)_settings.Timeout.TotalMilliseconds };
        if (_settings.AcceptAnyCertificate)
        {
            client.ServerCertificateValidationCallback = static (_, _, _, _) => true;
        }

        var started = Stopwatch.GetTimestamp();
        var opened = false;
        try
        {
            var stream = await UpstreamStream.ConnectAsync(_settings.Host, _settings.EffectivePort, _settings.Timeout, cancellationToken);
            await client.ConnectAsync(stream, _settings.Host, _settings.EffectivePort, _settings.Tls switch
            {
                UpstreamTlsMode.Implicit => SecureSocketOptions.SslOnConnect,
                UpstreamTlsMode.StartTls => SecureSocketOptions.StartTls,
                _ => SecureSocketOptions.None,
            }, cancellationToken);
            await UpstreamSignIn.AuthenticateAsync(client, login, credential, cancellationToken);
            var folder = string.Equals(folderName, "INBOX", StringComparison.OrdinalIgnoreCase) ? client.Inbox : await client.GetFolderAsync(folderName, cancellationToken);
            await folder.OpenAsync(FolderAccess.ReadWrite, cancellationToken);
            _folder = folder;
            opened = true;
        }
        catch (AuthenticationException e) when (UpstreamSignIn.IsClientsOwnPassword(login, credential))
        {
            Metrics?.Record(UpstreamProtocol.Imap, "login", false, started);
            LogUpstreamRefused(_logger, mailbox, _settings.Host, _settings.EffectivePort, e.Message);
            await CloseAsync(client);
            OpenFailureText = UpstreamSignIn.RefusedMessage;
            return MaildropOpenStatus.Refused;
        }
        catch (FolderNotFoundException)
        {
            Metrics?.Record(UpstreamProtocol.Imap, "login", false, started);
            LogNoFolder(_logger, mailbox, folderName);
            await CloseAsync(client);
            return MaildropOpenStatus.Unavailable;
        }
        catch (Exception e) when (IsUpstreamFailure(e))
        {
            Metrics?.Record(UpstreamProtocol.Imap, "login", false, started);
            LogUpstreamFailed(_logger, mailbox, _settings.Host, _settings.EffectivePort, e);
            await CloseAsync(client);
            return MaildropOpenStatus.Unavailable;
        }
        finally
        {
            if (!opened)
            {
                Locks.Release(lockKey, this);
            }
        }

        _lockKey = lockKey;
        Metrics?.Record(UpstreamProtocol.Imap, "login", true, started);
        if (Validities.Record(lockKey, _folder!.UidValidity) is { } previous)
        {
            LogUidValidityChanged(_logger, _folder.FullName, login.UpstreamUser, previous, _folder.UidValidity);
        }

        _client = client;
        return MaildropOpenStatus.Opened;
    }

    /// <summary>The folder's messages in UID order, with their RFC822.SIZE (the size with CRLF line ends), taken once.</summary>
    public async ValueTask<IReadOnlyList<MaildropMessage>> ListAsync(CancellationToken cancellationToken)
    {
        var folder = EnsureOpen();
        if (_snapshot is not null)
        {
            return _snapshot;
        }

        var started = Stopwatch.GetTimestamp();
        IList<IMessageSummary> summaries;
        try
        {
            summaries = folder.Count == 0 ? [] : await folder.FetchAsync(0, -1, MessageSummaryItems.UniqueId | MessageSummaryItems.Size, cancellationToken);
        }
        catch (Exception e) when (IsUpstreamFailure(e))
        {
            Metrics?.Record(UpstreamProtocol.Imap, "list", false, started);
            throw new IOException("Listing the upstream folder failed.", e);
        }

        Metrics?.Record(UpstreamProtocol.Imap, "list", true, started);
        var validity = folder.UidValidity;
        _snapshot = summaries
            .Where(s => s.UniqueId.IsValid)
            .OrderBy(s => s.UniqueId.Id)
            .Select(s => new MaildropMessage(Uidl(s.UniqueId.Id, validity), s.Size, s.UniqueId))
            .ToArray();
        return _snapshot;
    }

    /// <summary>
    /// The message by UID, streamed in chunks with <c>BODY.PEEK[]</c>. Throws an <see cref="IOException"/> when the
    /// upstream no longer has it. With <c>MarkSeen</c>, <c>\Seen</c> is set once the stream was read to its end.
    /// </summary>
    public async ValueTask<Stream> OpenMessageAsync(MaildropMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        var folder = EnsureOpen();
        var uid = message.Key as UniqueId? ?? throw new ArgumentException("The message was not listed by an IMAP upstream maildrop.", nameof(message));
        Func<CancellationToken, Task>? markSeen = _settings.Imap.MarkSeen
            ? token => folder.AddFlagsAsync(uid, MessageFlags.Seen, silent: true, token)
            : null;
        var started = Stopwatch.GetTimestamp();
        try
        {
            var stream = await ImapMessageStream.OpenAsync(folder, uid, message.Size, markSeen, cancellationToken);
            Metrics?.Record(UpstreamProtocol.Imap, "fetch", true, started);
            return stream;
        }
        catch (IOException e)
        {
            Metrics?.Record(UpstreamProtocol.Imap, "fetch", false, started);
            LogFetchFailed(_logger, uid.Id, e);
            throw;
        }
    }

    /// <summary>
    /// Deletes exactly <paramref name="deleted"/> upstream, by UID: moved to <c>Pop3:Upstream:Imap:TrashFolder</c> when
    /// set, else flagged <c>\Deleted</c> and expunged with <c>UID EXPUNGE</c>. Without UIDPLUS a plain EXPUNGE would also
    /// remove what other clients flagged, so it is sent only when nothing else is flagged; otherwise the messages stay
    /// flagged and a warning says so. Throws if the upstream refused.
    /// </summary>
    public async ValueTask CommitDeletionsAsync(IReadOnlyList<MaildropMessage> deleted, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(deleted);
        var uids = deleted.Select(m => m.Key as UniqueId? ?? throw new ArgumentException("The message was not listed by an IMAP upstream maildrop.", nameof(deleted)))
            .Distinct().ToList();
        if (uids.Count == 0)
        {
            return;
        }

        var folder = EnsureOpen();
        var client = _client!;
        var started = Stopwatch.GetTimestamp();
        try
        {
            if (_settings.Imap.TrashFolder is { Length: > 0 } trashName)
            {
                var trash = await client.GetFolderAsync(trashName.Trim(), cancellationToken);
                await folder.MoveToAsync(uids, trash, cancellationToken);
            }
            else
            {
                await folder.AddFlagsAsync(uids, MessageFlags.Deleted, silent: true, cancellationToken);
                if (client.Capabilities.HasFlag(ImapCapabilities.UidPlus))
                {
                    await folder.ExpungeAsync(uids, cancellationToken);
                }
                else if ((await folder.SearchAsync(SearchQuery.Deleted, cancellationToken)).All(uids.Contains))
                {
                    await folder.ExpungeAsync(cancellationToken);
                }
                else
                {
                    LogLeftFlagged(_logger, uids.Count, folder.FullName);
                }
            }
        }
        catch (Exception e) when (IsUpstreamFailure(e) || e is FolderNotFoundException)
        {
            Metrics?.Record(UpstreamProtocol.Imap, "commit", false, started);
            throw new IOException("The upstream did not take the deletions.", e);
        }

        Metrics?.Record(UpstreamProtocol.Imap, "commit", true, started);
        LogCommitted(_logger, uids.Count);
    }

    /// <summary>Logs out (LOGOUT, never CLOSE, which would expunge).</summary>
    public async ValueTask DisposeAsync()
    {
        var client = _client;
        _client = null;
        _folder = null;
        _snapshot = null;
        if (client is not null)
        {
            await CloseAsync(client);
        }

        if (_lockKey is { } key)
        {
            _lockKey = null;
            Locks.Release(key, this);
        }
    }

    internal static string Uidl(uint uid, uint validity) => string.Create(CultureInfo.InvariantCulture, $"{uid:x8}{validity:x8}");

    private IMailFolder EnsureOpen() => _folder ?? throw new InvalidOperationException("The maildrop is not open.");

    private static bool IsUpstreamFailure(Exception e) =>
        e is IOException or SocketException or AuthenticationException or ImapProtocolException or ImapCommandException
            or SslHandshakeException or TimeoutException or OperationCanceledException or ServiceNotConnectedException
            or ServiceNotAuthenticatedException or FolderNotOpenException or InvalidOperationException;

    private async Task CloseAsync(ImapClient client)
    {
        try
        {
            if (client.IsConnected)
            {
                using var limit = new CancellationTokenSource(_settings.Timeout);
                await client.DisconnectAsync(true, limit.Token);
            }
        }
        catch (Exception e) when (IsUpstreamFailure(e))
        {
            LogCloseFailed(_logger, e);
        }
        finally
        {
            client.Dispose();
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Upstream folder of {Mailbox} is in use by another session of this gateway")]
    private static partial void LogInUse(ILogger logger, string mailbox);



    [LoggerMessage(Level = LogLevel.Information, Message = "The upstream {Host}:{Port} refused the client's own password for {Mailbox}: {Reply}")]
    private static partial void LogUpstreamRefused(ILogger logger, string mailbox, string host, int port, string reply);

    [LoggerMessage(Level = LogLevel.Error, Message = "Upstream IMAP login for {Mailbox} at {Host}:{Port} failed")]
    private static partial void LogUpstreamFailed(ILogger logger, string mailbox, string host, int port, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "The upstream IMAP folder {Folder} of {Mailbox} does not exist (Pop3:Upstream:Imap:Folder)")]
    private static partial void LogNoFolder(ILogger logger, string mailbox, string folder);

    [LoggerMessage(Level = LogLevel.Warning, Message = "UIDVALIDITY of upstream folder {Folder} of {User} changed from {Previous} to {Current}: every message gets a new UIDL, so POP3 clients that keep mail will download the whole folder again")]
    private static partial void LogUidValidityChanged(ILogger logger, string folder, string user, uint previous, uint current);

    [LoggerMessage(Level = LogLevel.Information, Message = "Upstream message UID {Uid} could not be read")]
    private static partial void LogFetchFailed(ILogger logger, uint uid, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Count} message(s) in {Folder} flagged as deleted but not expunged: the upstream has no UIDPLUS and other messages there are flagged too")]
    private static partial void LogLeftFlagged(ILogger logger, int count, string folder);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Upstream committed {Count} deletion(s)")]
    private static partial void LogCommitted(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Closing the upstream session failed")]
    private static partial void LogCloseFailed(ILogger logger, Exception exception);
}
