namespace Pop3.Kestrel.Protocol;

/// <summary>Every fixed reply the server sends, in one place, as UTF-8 literals.</summary>
public static class Pop3Replies
{
    public static ReadOnlySpan<byte> Ok => "+OK\r\n"u8;
    public static ReadOnlySpan<byte> OkPrefix => "+OK "u8;
    public static ReadOnlySpan<byte> ErrPrefix => "-ERR "u8;
    public static ReadOnlySpan<byte> Crlf => "\r\n"u8;
    public static ReadOnlySpan<byte> Terminator => ".\r\n"u8;

    public static ReadOnlySpan<byte> UnknownCommand => "-ERR Unknown command\r\n"u8;
    public static ReadOnlySpan<byte> LineTooLong => "-ERR Command line too long (at most 255 octets with CRLF, 8192 for AUTH and SASL responses)\r\n"u8;
    public static ReadOnlySpan<byte> NotAllowedBeforeLogin => "-ERR Not allowed before login; allowed now: USER PASS APOP AUTH STLS UTF8 CAPA QUIT\r\n"u8;
    public static ReadOnlySpan<byte> NotAllowedAfterLogin => "-ERR Not allowed after login; allowed now: STAT LIST RETR DELE NOOP RSET TOP UIDL CAPA QUIT\r\n"u8;
    public static ReadOnlySpan<byte> TooManyErrors => "-ERR Too many errors, closing connection\r\n"u8;
    public static ReadOnlySpan<byte> Timeout => "-ERR Autologout; idle for too long\r\n"u8;
    public static ReadOnlySpan<byte> ShuttingDown => "-ERR [SYS/TEMP] Server shutting down\r\n"u8;
    public static ReadOnlySpan<byte> InternalError => "-ERR [SYS/TEMP] Internal server error, closing connection\r\n"u8;

    public static ReadOnlySpan<byte> NoArguments => "-ERR This command takes no arguments\r\n"u8;
    public static ReadOnlySpan<byte> NoSuchMessage => "-ERR No such message\r\n"u8;
    public static ReadOnlySpan<byte> MessageDeleted => "-ERR Message is deleted\r\n"u8;
    public static ReadOnlySpan<byte> InvalidMessageNumber => "-ERR Invalid message number\r\n"u8;
    public static ReadOnlySpan<byte> InvalidLineCount => "-ERR Invalid line count\r\n"u8;
    public static ReadOnlySpan<byte> TopSyntax => "-ERR Syntax: TOP msg n\r\n"u8;
    public static ReadOnlySpan<byte> MessageRead => "-ERR [SYS/TEMP] Message could not be read\r\n"u8;

    public static ReadOnlySpan<byte> BeginTls => "+OK Begin TLS negotiation\r\n"u8;
    public static ReadOnlySpan<byte> AlreadySecure => "-ERR Already using TLS\r\n"u8;
    public static ReadOnlySpan<byte> TlsUnavailable => "-ERR TLS is not available on this connection\r\n"u8;

    public static ReadOnlySpan<byte> UserOk => "+OK Send your password\r\n"u8;
    public static ReadOnlySpan<byte> UserSyntax => "-ERR Syntax: USER name\r\n"u8;
    public static ReadOnlySpan<byte> PassWithoutUser => "-ERR Send USER first\r\n"u8;
    public static ReadOnlySpan<byte> PassSyntax => "-ERR Syntax: PASS password\r\n"u8;
    public static ReadOnlySpan<byte> AuthFailed => "-ERR [AUTH] Authentication failed\r\n"u8;
    public static ReadOnlySpan<byte> AuthTemporaryFailure => "-ERR [SYS/TEMP] Authentication is temporarily unavailable, try again later\r\n"u8;
    public static ReadOnlySpan<byte> MaildropInUse => "-ERR [IN-USE] Mailbox is locked by another session\r\n"u8;
    public static ReadOnlySpan<byte> MaildropUnavailable => "-ERR [SYS/TEMP] Mailbox is temporarily unavailable\r\n"u8;
    public static ReadOnlySpan<byte> LoggedIn => "+OK Logged in\r\n"u8;
    public static ReadOnlySpan<byte> LoginDelay => "-ERR [LOGIN-DELAY] Logged in too recently, try again later\r\n"u8;
    public static ReadOnlySpan<byte> TooManyUserConnections => "-ERR [IN-USE] Too many sessions of this user from your address\r\n"u8;
    public static ReadOnlySpan<byte> PlaintextRequiresTls => "-ERR [AUTH] TLS is required for plaintext authentication\r\n"u8;
    public static ReadOnlySpan<byte> TooManyAttempts => "-ERR [AUTH] Authentication failed; too many attempts, closing connection\r\n"u8;

    public static ReadOnlySpan<byte> TooManyConnections => "-ERR [SYS/TEMP] Too many connections, try again later\r\n"u8;
    public static ReadOnlySpan<byte> TooManyConnectionsFromAddress => "-ERR [SYS/TEMP] Too many connections from your address, try again later\r\n"u8;
    public static ReadOnlySpan<byte> EvictedUnauthenticated => "-ERR [SYS/TEMP] Too many connections waiting to log in, closing the oldest\r\n"u8;
    public static ReadOnlySpan<byte> AddressBanned => "-ERR [SYS/TEMP] Too many failed logins from your address, try again later\r\n"u8;

    /// <summary>A guess at a user who is locked out after failed logins from elsewhere, or at a user and address pair that failed too often.</summary>
    public static ReadOnlySpan<byte> UserLockedOut => "-ERR [SYS/TEMP] Too many failed logins for this user, try again later\r\n"u8;

    public static ReadOnlySpan<byte> SaslChallengePrefix => "+ "u8;
    public static ReadOnlySpan<byte> SaslEmptyChallenge => "+ \r\n"u8;
    public static ReadOnlySpan<byte> AuthListHeader => "+OK\r\n"u8;
    public static ReadOnlySpan<byte> AuthSyntax => "-ERR Syntax: AUTH mechanism [initial-response]\r\n"u8;
    public static ReadOnlySpan<byte> AuthUnknownMechanism => "-ERR Unsupported authentication mechanism\r\n"u8;
    public static ReadOnlySpan<byte> AuthCancelled => "-ERR Authentication cancelled\r\n"u8;
    public static ReadOnlySpan<byte> AuthBadBase64 => "-ERR Invalid base64 data\r\n"u8;
    public static ReadOnlySpan<byte> AuthMalformed => "-ERR Malformed SASL response\r\n"u8;
    public static ReadOnlySpan<byte> ApopUnavailable => "-ERR APOP is not available\r\n"u8;
    public static ReadOnlySpan<byte> ApopSyntax => "-ERR Syntax: APOP name digest\r\n"u8;
    public static ReadOnlySpan<byte> Utf8Enabled => "+OK UTF8 enabled\r\n"u8;

    public static ReadOnlySpan<byte> Marked => "+OK Marked to be deleted\r\n"u8;
    public static ReadOnlySpan<byte> Quit => "+OK Logging out\r\n"u8;
    public static ReadOnlySpan<byte> QuitCommitted => "+OK Logging out, messages deleted\r\n"u8;
    public static ReadOnlySpan<byte> CommitFailed => "-ERR [SYS/TEMP] Deleting messages failed; nothing was deleted that you did not mark\r\n"u8;
    public static ReadOnlySpan<byte> CapaHeader => "+OK Capability list follows\r\n"u8;
    public static ReadOnlySpan<byte> ListHeader => "+OK Scan listing follows\r\n"u8;
    public static ReadOnlySpan<byte> UidlHeader => "+OK Unique-ID listing follows\r\n"u8;
    public static ReadOnlySpan<byte> RetrHeader => "+OK Message follows\r\n"u8;
    public static ReadOnlySpan<byte> TopHeader => "+OK Top of message follows\r\n"u8;
}
