using System.Buffers;
using System.Buffers.Text;
using System.Text;

namespace Pop3.Kestrel.Protocol;

/// <summary>
/// Every reply the server sends, in one place: the fixed ones as UTF-8 literals, the ones carrying numbers or ids
/// as writers that format straight into the output without allocating.
/// </summary>
internal static class Pop3Replies
{
    /// <summary>A bare success, as NOOP answers.</summary>
    public static ReadOnlySpan<byte> Ok => "+OK\r\n"u8;
    /// <summary>The start of every positive reply, for replies formatted at run time.</summary>
    public static ReadOnlySpan<byte> OkPrefix => "+OK "u8;
    /// <summary>The start of every negative reply, for replies formatted at run time.</summary>
    public static ReadOnlySpan<byte> ErrPrefix => "-ERR "u8;
    /// <summary>The line end of every reply (RFC 1939 §3).</summary>
    public static ReadOnlySpan<byte> Crlf => "\r\n"u8;
    /// <summary>The line that ends a multi-line reply (RFC 1939 §3).</summary>
    public static ReadOnlySpan<byte> Terminator => ".\r\n"u8;

    /// <summary>A keyword that is no verb this server knows.</summary>
    public static ReadOnlySpan<byte> UnknownCommand => "-ERR Unknown command\r\n"u8;
    /// <summary>A command line over the 255-octet cap (RFC 2449 §4), or an AUTH line over its own cap.</summary>
    public static ReadOnlySpan<byte> LineTooLong => "-ERR Command line too long (at most 255 octets with CRLF, 8192 for AUTH and SASL responses)\r\n"u8;
    /// <summary>A verb that only runs after login, sent in AUTHORIZATION; says which verbs may run.</summary>
    public static ReadOnlySpan<byte> NotAllowedBeforeLogin => "-ERR Not allowed before login; allowed now: USER PASS APOP AUTH STLS UTF8 CAPA QUIT\r\n"u8;
    /// <summary>A verb that only runs before login, sent in TRANSACTION; says which verbs may run.</summary>
    public static ReadOnlySpan<byte> NotAllowedAfterLogin => "-ERR Not allowed after login; allowed now: STAT LIST RETR DELE NOOP RSET TOP UIDL CAPA QUIT\r\n"u8;
    /// <summary>The last reply after <c>Pop3:MaxErrors</c> consecutive errors; the connection then closes.</summary>
    public static ReadOnlySpan<byte> TooManyErrors => "-ERR Too many errors, closing connection\r\n"u8;
    /// <summary>The last reply when the inactivity timeout expires (RFC 1939 §3 autologout).</summary>
    public static ReadOnlySpan<byte> Timeout => "-ERR Autologout; idle for too long\r\n"u8;
    /// <summary>The last reply when the server stops or an administrator ends the session; nothing was deleted.</summary>
    public static ReadOnlySpan<byte> ShuttingDown => "-ERR [SYS/TEMP] Server shutting down\r\n"u8;
    /// <summary>The last reply after an unexpected failure; nothing was deleted.</summary>
    public static ReadOnlySpan<byte> InternalError => "-ERR [SYS/TEMP] Internal server error, closing connection\r\n"u8;

    /// <summary>Arguments given to a verb that takes none (CAPA, STLS, UTF8, ...).</summary>
    public static ReadOnlySpan<byte> NoArguments => "-ERR This command takes no arguments\r\n"u8;
    /// <summary>A message number that names no message of the session's listing.</summary>
    public static ReadOnlySpan<byte> NoSuchMessage => "-ERR No such message\r\n"u8;
    /// <summary>A message number that names a message marked as deleted in this session.</summary>
    public static ReadOnlySpan<byte> MessageDeleted => "-ERR Message is deleted\r\n"u8;
    /// <summary>A message number that is not 1 to 10 ASCII digits.</summary>
    public static ReadOnlySpan<byte> InvalidMessageNumber => "-ERR Invalid message number\r\n"u8;
    /// <summary>TOP's line count that is not a number.</summary>
    public static ReadOnlySpan<byte> InvalidLineCount => "-ERR Invalid line count\r\n"u8;
    /// <summary>TOP without both of its arguments.</summary>
    public static ReadOnlySpan<byte> TopSyntax => "-ERR Syntax: TOP msg n\r\n"u8;
    /// <summary>A message the backend could not read; the session goes on.</summary>
    public static ReadOnlySpan<byte> MessageRead => "-ERR [SYS/TEMP] Message could not be read\r\n"u8;

    /// <summary>STLS accepted: the TLS handshake follows (RFC 2595 §4).</summary>
    public static ReadOnlySpan<byte> BeginTls => "+OK Begin TLS negotiation\r\n"u8;
    /// <summary>STLS on a connection that is already encrypted.</summary>
    public static ReadOnlySpan<byte> AlreadySecure => "-ERR Already using TLS\r\n"u8;
    /// <summary>STLS where no certificate is configured, or after login.</summary>
    public static ReadOnlySpan<byte> TlsUnavailable => "-ERR TLS is not available on this connection\r\n"u8;

    /// <summary>USER answered, whoever the user is, so the reply never tells which users exist.</summary>
    public static ReadOnlySpan<byte> UserOk => "+OK Send your password\r\n"u8;
    /// <summary>USER without a name, with a space in it, or with characters not allowed before UTF8.</summary>
    public static ReadOnlySpan<byte> UserSyntax => "-ERR Syntax: USER name\r\n"u8;
    /// <summary>PASS that does not follow a USER.</summary>
    public static ReadOnlySpan<byte> PassWithoutUser => "-ERR Send USER first\r\n"u8;
    /// <summary>PASS without a password, or with characters not allowed before UTF8.</summary>
    public static ReadOnlySpan<byte> PassSyntax => "-ERR Syntax: PASS password\r\n"u8;
    /// <summary>Wrong credentials, on every login path (RFC 3206 <c>[AUTH]</c>).</summary>
    public static ReadOnlySpan<byte> AuthFailed => "-ERR [AUTH] Authentication failed\r\n"u8;
    /// <summary>The user store could not be asked; try again later (RFC 3206 <c>[SYS/TEMP]</c>).</summary>
    public static ReadOnlySpan<byte> AuthTemporaryFailure => "-ERR [SYS/TEMP] Authentication is temporarily unavailable, try again later\r\n"u8;
    /// <summary>The maildrop is locked by another session (RFC 2449 <c>[IN-USE]</c>).</summary>
    public static ReadOnlySpan<byte> MaildropInUse => "-ERR [IN-USE] Mailbox is locked by another session\r\n"u8;
    /// <summary>The maildrop could not be opened now (RFC 3206 <c>[SYS/TEMP]</c>).</summary>
    public static ReadOnlySpan<byte> MaildropUnavailable => "-ERR [SYS/TEMP] Mailbox is temporarily unavailable\r\n"u8;
    /// <summary>A login answered without the count of messages (for handlers that cannot tell it).</summary>
    public static ReadOnlySpan<byte> LoggedIn => "+OK Logged in\r\n"u8;
    /// <summary>A login sooner than LOGIN-DELAY allows (RFC 2449 §8.1.2 <c>[LOGIN-DELAY]</c>).</summary>
    public static ReadOnlySpan<byte> LoginDelay => "-ERR [LOGIN-DELAY] Logged in too recently, try again later\r\n"u8;
    /// <summary>A login over <c>Pop3:Limits:MaxConnectionsPerUserIp</c>.</summary>
    public static ReadOnlySpan<byte> TooManyUserConnections => "-ERR [IN-USE] Too many sessions of this user from your address\r\n"u8;
    /// <summary>USER, PASS or a plaintext SASL mechanism on a connection the plaintext policy keeps from passwords.</summary>
    public static ReadOnlySpan<byte> PlaintextRequiresTls => "-ERR [AUTH] TLS is required for plaintext authentication\r\n"u8;
    /// <summary>The failed login that used up the connection's attempts; the connection then closes.</summary>
    public static ReadOnlySpan<byte> TooManyAttempts => "-ERR [AUTH] Authentication failed; too many attempts, closing connection\r\n"u8;

    /// <summary>A connection refused before the greeting: <c>Pop3:Limits:MaxConnections</c> reached.</summary>
    public static ReadOnlySpan<byte> TooManyConnections => "-ERR [SYS/TEMP] Too many connections, try again later\r\n"u8;
    /// <summary>A connection refused before the greeting: <c>Pop3:Limits:MaxConnectionsPerIp</c> reached.</summary>
    public static ReadOnlySpan<byte> TooManyConnectionsFromAddress => "-ERR [SYS/TEMP] Too many connections from your address, try again later\r\n"u8;
    /// <summary>The last reply of the oldest connection not logged in, closed to admit a newer one.</summary>
    public static ReadOnlySpan<byte> EvictedUnauthenticated => "-ERR [SYS/TEMP] Too many connections waiting to log in, closing the oldest\r\n"u8;
    /// <summary>A connection refused before the greeting: its address failed to log in too often.</summary>
    public static ReadOnlySpan<byte> AddressBanned => "-ERR [SYS/TEMP] Too many failed logins from your address, try again later\r\n"u8;

    /// <summary>A guess at a user who is locked out after failed logins from elsewhere, or at a user and address pair that failed too often.</summary>
    public static ReadOnlySpan<byte> UserLockedOut => "-ERR [SYS/TEMP] Too many failed logins for this user, try again later\r\n"u8;

    /// <summary>The start of a SASL challenge line, followed by base64 (RFC 5034 §4).</summary>
    public static ReadOnlySpan<byte> SaslChallengePrefix => "+ "u8;
    /// <summary>A SASL challenge with no data (RFC 5034 §4).</summary>
    public static ReadOnlySpan<byte> SaslEmptyChallenge => "+ \r\n"u8;
    /// <summary>The start of bare AUTH's list of mechanisms.</summary>
    public static ReadOnlySpan<byte> AuthListHeader => "+OK\r\n"u8;
    /// <summary>AUTH with arguments but no mechanism name.</summary>
    public static ReadOnlySpan<byte> AuthSyntax => "-ERR Syntax: AUTH mechanism [initial-response]\r\n"u8;
    /// <summary>AUTH with a mechanism this server does not offer.</summary>
    public static ReadOnlySpan<byte> AuthUnknownMechanism => "-ERR Unsupported authentication mechanism\r\n"u8;
    /// <summary>The client answered a SASL challenge with <c>*</c> (RFC 5034 §4).</summary>
    public static ReadOnlySpan<byte> AuthCancelled => "-ERR Authentication cancelled\r\n"u8;
    /// <summary>A SASL response that is not strict base64.</summary>
    public static ReadOnlySpan<byte> AuthBadBase64 => "-ERR Invalid base64 data\r\n"u8;
    /// <summary>A SASL response that does not follow its mechanism's syntax.</summary>
    public static ReadOnlySpan<byte> AuthMalformed => "-ERR Malformed SASL response\r\n"u8;
    /// <summary>APOP where it is not offered (no greeting timestamp, or no plaintext secrets).</summary>
    public static ReadOnlySpan<byte> ApopUnavailable => "-ERR APOP is not available\r\n"u8;
    /// <summary>APOP without a name and a 32-digit hex digest.</summary>
    public static ReadOnlySpan<byte> ApopSyntax => "-ERR Syntax: APOP name digest\r\n"u8;
    /// <summary>UTF8 accepted: names and passwords may be UTF-8 from now on (RFC 6856).</summary>
    public static ReadOnlySpan<byte> Utf8Enabled => "+OK UTF8 enabled\r\n"u8;

    /// <summary>DELE accepted: the message is deleted at QUIT, not before.</summary>
    public static ReadOnlySpan<byte> Marked => "+OK Marked to be deleted\r\n"u8;
    /// <summary>QUIT answered with nothing to delete (RFC 1939 §4, §6).</summary>
    public static ReadOnlySpan<byte> Quit => "+OK Logging out\r\n"u8;
    /// <summary>QUIT answered after the marked messages were deleted (RFC 1939 §6).</summary>
    public static ReadOnlySpan<byte> QuitCommitted => "+OK Logging out, messages deleted\r\n"u8;
    /// <summary>QUIT whose deletions failed; nothing was deleted that the client did not mark (RFC 1939 §6).</summary>
    public static ReadOnlySpan<byte> CommitFailed => "-ERR [SYS/TEMP] Deleting messages failed; nothing was deleted that you did not mark\r\n"u8;
    /// <summary>The start of CAPA's capability list (RFC 2449 §5).</summary>
    public static ReadOnlySpan<byte> CapaHeader => "+OK Capability list follows\r\n"u8;
    /// <summary>The start of a multi-line LIST (RFC 1939 §5).</summary>
    public static ReadOnlySpan<byte> ListHeader => "+OK Scan listing follows\r\n"u8;
    /// <summary>The start of a multi-line UIDL (RFC 1939 §7).</summary>
    public static ReadOnlySpan<byte> UidlHeader => "+OK Unique-ID listing follows\r\n"u8;
    /// <summary>The start of a RETR reply that does not announce the size (for handlers that cannot tell it).</summary>
    public static ReadOnlySpan<byte> RetrHeader => "+OK Message follows\r\n"u8;
    /// <summary>The start of a TOP reply (RFC 1939 §7).</summary>
    public static ReadOnlySpan<byte> TopHeader => "+OK Top of message follows\r\n"u8;

    /// <summary>Writes <c>+OK a b</c> CRLF: STAT's drop listing, LIST n's scan listing, RSET's answer.</summary>
    public static void WriteOk(IBufferWriter<byte> output, long a, long b)
    {
        ArgumentNullException.ThrowIfNull(output);
        var span = output.GetSpan(48);
        OkPrefix.CopyTo(span);
        output.Advance(OkPrefix.Length + FormatPair(span[OkPrefix.Length..], a, b));
    }

    /// <summary>Writes <c>a b</c> CRLF: one line of a multi-line LIST.</summary>
    public static void WritePair(IBufferWriter<byte> output, long a, long b)
    {
        ArgumentNullException.ThrowIfNull(output);
        output.Advance(FormatPair(output.GetSpan(48), a, b));
    }

    /// <summary>Writes <c>+OK n uid</c> CRLF (UIDL n) or, with <paramref name="ok"/> false, <c>n uid</c> CRLF (a line of UIDL).</summary>
    public static void WriteUid(IBufferWriter<byte> output, int number, string uid, bool ok)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(uid);
        var span = output.GetSpan(uid.Length + 20);
        var written = 0;
        if (ok)
        {
            OkPrefix.CopyTo(span);
            written = OkPrefix.Length;
        }

        Utf8Formatter.TryFormat(number, span[written..], out var n);
        written += n;
        span[written++] = (byte)' ';
        written += Encoding.ASCII.GetBytes(uid, span[written..]);
        written += WriteCrlf(span[written..]);
        output.Advance(written);
    }

    /// <summary>Writes a one-line reply made of a fixed start, a number and a fixed end, e.g. <c>+OK 120 octets</c> CRLF.</summary>
    public static void WriteLine(IBufferWriter<byte> output, ReadOnlySpan<byte> start, long number, ReadOnlySpan<byte> end)
    {
        ArgumentNullException.ThrowIfNull(output);
        var span = output.GetSpan(start.Length + end.Length + 24);
        start.CopyTo(span);
        Utf8Formatter.TryFormat(number, span[start.Length..], out var n);
        end.CopyTo(span[(start.Length + n)..]);
        output.Advance(start.Length + n + end.Length);
    }

    /// <summary>Writes the answer to a login: <c>+OK Logged in, n messages (m octets)</c> CRLF.</summary>
    public static void WriteLoggedIn(IBufferWriter<byte> output, int count, long size)
    {
        ArgumentNullException.ThrowIfNull(output);
        ReadOnlySpan<byte> start = "+OK Logged in, "u8;
        ReadOnlySpan<byte> middle = " messages ("u8;
        ReadOnlySpan<byte> end = " octets)\r\n"u8;
        var span = output.GetSpan(start.Length + middle.Length + end.Length + 40);
        start.CopyTo(span);
        var written = start.Length;
        Utf8Formatter.TryFormat(count, span[written..], out var n);
        written += n;
        middle.CopyTo(span[written..]);
        written += middle.Length;
        Utf8Formatter.TryFormat(size, span[written..], out n);
        written += n;
        end.CopyTo(span[written..]);
        output.Advance(written + end.Length);
    }

    /// <summary>Writes a line of ASCII text and CRLF: CAPA lines, greetings and mechanism names built at run time.</summary>
    public static void WriteAscii(IBufferWriter<byte> output, string text)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(text);
        var span = output.GetSpan(text.Length + 2);
        var n = Encoding.ASCII.GetBytes(text, span);
        output.Advance(n + WriteCrlf(span[n..]));
    }

    private static int FormatPair(Span<byte> span, long a, long b)
    {
        Utf8Formatter.TryFormat(a, span, out var written);
        span[written++] = (byte)' ';
        Utf8Formatter.TryFormat(b, span[written..], out var n);
        written += n;
        return written + WriteCrlf(span[written..]);
    }

    private static int WriteCrlf(Span<byte> span)
    {
        span[0] = (byte)'\r';
        span[1] = (byte)'\n';
        return 2;
    }
}
