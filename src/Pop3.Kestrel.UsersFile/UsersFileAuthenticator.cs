using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.FileProviders.Physical;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using Pop3.Kestrel.Authentication;

namespace Pop3.Kestrel.UsersFile;

/// <summary>
/// Authenticates against a users file in Dovecot's passwd-file format (see <see cref="Pop3UsersFile"/> and
/// <see cref="Pop3PasswordSchemes"/>), path from <c>Pop3:Authentication:UsersFile</c>.
/// </summary>
/// <remarks>
/// <para>
/// The file is read at construction and again whenever it changes: a file watcher triggers the reload, and
/// every authentication also compares the file's time stamp and size with those of the last read, since
/// watchers can miss events. A read that fails keeps the users read before. Replace the file atomically
/// (write a temporary file, then rename it) so that a reader never sees half of it.
/// </para>
/// <para>
/// An unknown user and a wrong password give the same <see cref="Pop3AuthenticationResult.Failure"/> after the
/// same work: for an unknown user the password is checked against a stand-in hash of the scheme most used in the
/// file. A user with the <c>nologin</c> extra field also fails, after the check. At most one check per processor
/// runs at a time, so memory-hard schemes cannot exhaust memory under a flood of logins.
/// </para>
/// </remarks>
internal sealed class UsersFileAuthenticator : IPop3Authenticator, IPop3SecretProvider, IDisposable
{
    private readonly ILogger _logger;
    private readonly PhysicalFileProvider? _fileProvider;
    private readonly IDisposable? _watch;
    private readonly Lock _reloadLock = new();
    private readonly SemaphoreSlim _checks = new(Environment.ProcessorCount, Environment.ProcessorCount);
    private volatile Snapshot _snapshot;

    /// <summary>Reads the file named by <paramref name="options"/> and starts watching it.</summary>
    public UsersFileAuthenticator(IOptions<Pop3UsersFileOptions> options, ILogger<UsersFileAuthenticator> logger, IHostEnvironment? environment = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        _logger = logger;
        FilePath = options.Value.ResolvePath(environment);
        _snapshot = new Snapshot(Pop3UsersFile.Empty, default);
        Reload();

        try
        {
            var directory = Path.GetDirectoryName(FilePath)!;
            if (Directory.Exists(directory))
            {
                _fileProvider = new PhysicalFileProvider(directory, ExclusionFilters.None);
                var fileName = Path.GetFileName(FilePath);
                _watch = ChangeToken.OnChange(() => _fileProvider.Watch(fileName), Reload);
            }
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or ArgumentException or PlatformNotSupportedException)
        {
            UsersFileLog.WatchFailed(_logger, exception, FilePath);
        }
    }

    /// <summary>The absolute path of the users file.</summary>
    public string FilePath { get; }

    /// <summary>The users as last read (without checking the file first).</summary>
    public Pop3UsersFile Users => _snapshot.Users;

    /// <summary>The scheme an unknown user's password is checked against.</summary>
    internal string StandInScheme => _snapshot.StandIn.Scheme;

    /// <summary>Raised after the file has been read again (on a watcher thread or the caller's).</summary>
    internal event Action<Pop3UsersFile>? Reloaded;

    /// <inheritdoc />
    public async ValueTask<Pop3AuthenticationResult> AuthenticateAsync(string user, string password, Pop3ConnectionInfo connection, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(user);
        ArgumentNullException.ThrowIfNull(password);
        var snapshot = Current();
        var known = snapshot.Users.TryGetUser(user, out var entry);
        var stored = known ? entry!.Password : snapshot.StandIn;

        await _checks.WaitAsync(cancellationToken);
        bool matches;
        try
        {
            matches = stored.Verify(password);
        }
        finally
        {
            _checks.Release();
        }

        if (!known || !matches)
        {
            return Pop3AuthenticationResult.Failure;
        }

        if (entry!.NoLogin)
        {
            UsersFileLog.NoLogin(_logger, user);
            return Pop3AuthenticationResult.Failure;
        }

        return Pop3AuthenticationResult.Success(entry.User);
    }

    /// <summary>
    /// The password of <paramref name="user"/> when it is stored as <c>{PLAIN}</c> (or an alias), for
    /// mechanisms that need the plaintext (APOP). False for other schemes, unknown users and <c>nologin</c>.
    /// </summary>
    public bool TryGetPlaintextSecret(string user, [NotNullWhen(true)] out string? secret)
    {
        secret = null;
        return TryGetLoginEntry(user, out var entry) && entry.Password.TryGetPlaintext(out secret);
    }

    /// <summary>
    /// The SCRAM-SHA-256 keys of <paramref name="user"/> when stored as <c>{SCRAM-SHA-256}</c>, for a SCRAM
    /// mechanism. False for other schemes, unknown users and <c>nologin</c>.
    /// </summary>
    public bool TryGetScramKeys(string user, [NotNullWhen(true)] out Pop3ScramCredentials? keys)
    {
        keys = null;
        return TryGetLoginEntry(user, out var entry) && entry.Password.TryGetScramSha256Credentials(out keys);
    }

    /// <summary>
    /// The 32-byte HMAC-MD5 context of <paramref name="user"/> for CRAM-MD5: stored as <c>{CRAM-MD5}</c>, or
    /// computed from a <c>{PLAIN}</c> password. False for other schemes, unknown users and <c>nologin</c>.
    /// </summary>
    public bool TryGetCramMd5Context(string user, out ReadOnlyMemory<byte> context)
    {
        context = default;
        return TryGetLoginEntry(user, out var entry) && entry.Password.TryGetCramMd5Context(out context);
    }

    /// <summary>
    /// What the users as now read can give: plaintext (and so CRAM-MD5) when some entry is <c>{PLAIN}</c>, CRAM-MD5
    /// when some is <c>{CRAM-MD5}</c>, SCRAM-SHA-256 keys when some is <c>{SCRAM-SHA-256}</c>.
    /// </summary>
    public Pop3SecretKinds AvailableSecrets => Current().Secrets;

    /// <summary>The scheme of <paramref name="user"/>'s stored password (<c>SHA512-CRYPT</c>), or null for unknown users and <c>nologin</c>.</summary>
    /// <summary>The scheme of <paramref name="user"/>'s password in the file, for log lines; null for unknown users.</summary>
    public string? GetStoredScheme(string user) => TryGetLoginEntry(user, out var entry) ? entry.Password.Scheme : null;

    /// <summary>The user name as written in the file (the mailbox to open).</summary>
    public string GetMailbox(string user) => TryGetLoginEntry(user, out var entry) ? entry.User : user;

    /// <summary>Stops watching the file.</summary>
    public void Dispose()
    {
        _watch?.Dispose();
        _fileProvider?.Dispose();
        _checks.Dispose();
    }

    private bool TryGetLoginEntry(string user, [NotNullWhen(true)] out Pop3UsersFileEntry? entry) =>
        Current().Users.TryGetUser(user, out entry) && !entry.NoLogin;

    /// <summary>The users, read again first if the file's time stamp or size has changed.</summary>
    private Snapshot Current()
    {
        var snapshot = _snapshot;
        if (Stamp.Of(FilePath) is { } stamp && stamp != snapshot.Stamp)
        {
            Reload();
            snapshot = _snapshot;
        }

        return snapshot;
    }

    private void Reload()
    {
        Pop3UsersFile users;
        lock (_reloadLock)
        {
            var previous = _snapshot;
            try
            {
                // The stamp is taken before reading: a write during the read makes the next check read again.
                var stamp = Stamp.Of(FilePath) ?? throw new FileNotFoundException("The users file does not exist.", FilePath);
                if (stamp == previous.Stamp)
                {
                    return;
                }

                users = Pop3UsersFile.Load(FilePath, _logger);
                _snapshot = new Snapshot(users, stamp);
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                UsersFileLog.ReloadFailed(_logger, exception, FilePath, previous.Users.Count);
                return;
            }
        }

        UsersFileLog.Loaded(_logger, users.Count, FilePath, users.BadLineCount);
        Reloaded?.Invoke(users);
    }

    /// <summary>When and how big the file was: cheap to read on every login.</summary>
    private readonly record struct Stamp(DateTime LastWriteUtc, long Length)
    {
        public static Stamp? Of(string path)
        {
            var info = new FileInfo(path);
            return info.Exists ? new Stamp(info.LastWriteTimeUtc, info.Length) : null;
        }
    }

    private sealed class Snapshot(Pop3UsersFile users, Stamp stamp)
    {
        public Pop3UsersFile Users { get; } = users;

        public Stamp Stamp { get; } = stamp;

        /// <summary>The kinds of secret at least one user who may log in has.</summary>
        public Pop3SecretKinds Secrets { get; } = users.Users.Where(entry => !entry.NoLogin).Aggregate(Pop3SecretKinds.None, (kinds, entry) => kinds | KindsOf(entry.Password));

        /// <summary>What an unknown user's password is checked against: a hash of the scheme and cost most used.</summary>
        public Pop3StoredPassword StandIn { get; } = MakeStandIn(users);

        private static Pop3SecretKinds KindsOf(Pop3StoredPassword password) =>
            password.TryGetPlaintext(out _) ? Pop3SecretKinds.Plaintext | Pop3SecretKinds.CramMd5
            : password.TryGetScramSha256Credentials(out _) ? Pop3SecretKinds.ScramSha256
            : password.TryGetCramMd5Context(out _) ? Pop3SecretKinds.CramMd5
            : Pop3SecretKinds.None;

        private static Pop3StoredPassword MakeStandIn(Pop3UsersFile users)
        {
            // A real entry of the commonest scheme has exactly the cost of a real check; the result is discarded.
            var common = users.Users
                .GroupBy(entry => entry.Password.Scheme, StringComparer.Ordinal)
                .OrderByDescending(group => group.Count())
                .ThenBy(group => group.Min(entry => entry.LineNumber))
                .Select(group => group.MinBy(entry => entry.LineNumber))
                .FirstOrDefault();
            return common?.Password ?? DefaultStandIn.Value;
        }
    }

    private static readonly Lazy<Pop3StoredPassword> DefaultStandIn = new(() =>
        Pop3StoredPassword.Parse(Pop3PasswordSchemes.Hash("SHA512-CRYPT", Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(24)))));
}
