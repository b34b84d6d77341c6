using System.Net;
using System.Net.Sockets;

namespace Pop3.Kestrel.Authentication;

/// <summary>
/// How clients may log in and how failed logins are slowed down: configuration section <c>Pop3:Authentication</c>
/// (the same section whose <c>UsersFile</c> key the Pop3.Kestrel.UsersFile package reads).
/// </summary>
public sealed class Pop3AuthenticationOptions
{
    /// <summary>The configuration section these options are bound from.</summary>
    public const string SectionName = "Pop3:Authentication";

    /// <summary>
    /// Where a password (USER/PASS, AUTH PLAIN and LOGIN) or a bearer token (OAUTHBEARER, XOAUTH2) may be sent
    /// over a connection that is not encrypted (RFC 2595 §2.3). Default <see cref="Pop3PlaintextPolicy.Loopback"/>.
    /// Where it is not allowed those commands and mechanisms are neither advertised nor accepted.
    /// </summary>
    public Pop3PlaintextPolicy AllowPlaintext { get; set; } = Pop3PlaintextPolicy.Loopback;

    /// <summary>
    /// Offer APOP (RFC 1939 §7): the greeting carries a timestamp. Needs an authenticator that can give the
    /// plaintext password (<see cref="IPop3SecretProvider"/>); otherwise no timestamp is sent. Default false.
    /// </summary>
    public bool Apop { get; set; }

    /// <summary>
    /// Offer SASL EXTERNAL (RFC 4422 App. A): a client that presented a validated TLS client certificate logs in
    /// as the user the certificate names (see <see cref="ExternalUserFrom"/>). Needs a listener with
    /// <c>ClientCertificateMode</c> set. Off by default.
    /// </summary>
    public bool External { get; set; }

    /// <summary>Which certificate field names the user for EXTERNAL: <c>CommonName</c> (the default) or <c>Email</c> (the e-mail subject alternative name).</summary>
    public Pop3CertificateUserField ExternalUserFrom { get; set; } = Pop3CertificateUserField.CommonName;

    /// <summary>
    /// The SASL mechanisms to offer, e.g. <c>PLAIN SCRAM-SHA-256</c> (a space- or comma-separated string, or a list).
    /// Empty (the default) offers every mechanism the authenticator and the configuration can serve.
    /// </summary>
    public string[] Mechanisms { get; set; } = [];

    /// <summary>Failed, cancelled or malformed login attempts allowed on one connection before the server closes it. Default 3.</summary>
    public int MaxAttempts { get; set; } = 3;

    /// <summary>
    /// The wait before the reply to the first failed login from a client address; it doubles with each further
    /// failure from that address up to <see cref="MaxFailureDelay"/> (Dovecot: 2 s to 15 s). Zero disables it.
    /// </summary>
    public TimeSpan FailureDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>The longest wait before a failed login's reply. Default 15 s.</summary>
    public TimeSpan MaxFailureDelay { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Password guesses evaluated from one address (an IPv6 client by its /64) per <see cref="BanDuration"/>, whatever
    /// the number of connections: a guess that would exceed it is refused unchecked, and when that many have failed the
    /// address is banned for <see cref="BanDuration"/>. A ban refuses no user for whom the address is familiar (see
    /// <see cref="FamiliarAddressDays"/>). Zero disables the per-address limit and the ban. Default 10.
    /// </summary>
    public int BanAfterFailures { get; set; } = 10;

    /// <summary>How long a ban lasts, and the sliding window over which an address's failures are counted. Default 15 minutes.</summary>
    public TimeSpan BanDuration { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>
    /// Failed guesses at one user name, from any addresses, per <see cref="LockoutDuration"/> after which that user is
    /// locked out for <see cref="LockoutDuration"/> from every address that is not familiar for the user (smart
    /// lockout: the user still logs in from where they did before). Zero disables it. Default 20.
    /// </summary>
    public int LockoutAfterFailures { get; set; } = 20;

    /// <summary>How long a user's lockout lasts, and the sliding window of the per-user and per user+address counts. Default 15 minutes.</summary>
    public TimeSpan LockoutDuration { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>
    /// Failed guesses at one user from one address per <see cref="LockoutDuration"/>, familiar or not; beyond it
    /// guesses at that user from that address are refused unchecked until failures age out of the window. This is
    /// what bounds an attacker who shares an address with the user. Zero disables it. Default 5.
    /// </summary>
    public int MaxFailuresPerUserAddress { get; set; } = 5;

    /// <summary>
    /// How many days a successful login makes its address (an IPv6 client by its /64) familiar for that user. Zero
    /// disables familiar addresses: every address is treated as unknown. Default 30.
    /// </summary>
    public int FamiliarAddressDays { get; set; } = 30;

    /// <summary>Familiar addresses remembered per user; the least recently used one is forgotten first. Default 10.</summary>
    public int FamiliarAddressesPerUser { get; set; } = 10;

    /// <summary>
    /// Entries in each table the guess limiter keeps in memory (addresses, user names, user+address pairs, bans,
    /// users with familiar addresses); the least recently used entry is evicted first. Default 100000.
    /// </summary>
    public int TrackedEntries { get; set; } = 100_000;

    /// <summary>
    /// A file that keeps bans and familiar addresses across restarts, e.g. <c>login-state.json</c> (a relative path is
    /// taken in the data directory, <c>Pop3:DataPath</c>), rewritten atomically after each change; a damaged file is
    /// logged and ignored. Null (the default) keeps them in memory only, unless a store such as PostgreSQL's registers
    /// its own <see cref="IPop3LockoutStore"/>.
    /// </summary>
    public string? StateFile { get; set; }


    /// <summary>True if a password or bearer token may be sent over <paramref name="connection"/> as it is now.</summary>
    internal bool AllowsPlaintext(Pop3ConnectionInfo connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        return connection.IsSecure || AllowPlaintext switch
        {
            Pop3PlaintextPolicy.Always => true,
            Pop3PlaintextPolicy.Loopback => IsLocal(connection),
            _ => false,
        };
    }

    /// <summary>True for a loopback address (IPv4, IPv6 or IPv4-mapped) or a Unix domain socket.</summary>
    internal static bool IsLocal(Pop3ConnectionInfo connection) => connection.RemoteEndPoint switch
    {
        IPEndPoint ip => IPAddress.IsLoopback(ip.Address.IsIPv4MappedToIPv6 ? ip.Address.MapToIPv4() : ip.Address),
        UnixDomainSocketEndPoint => true,
        _ => false,
    };
}
