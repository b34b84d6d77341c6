namespace Pop3.Kestrel.Authentication;

/// <summary>
/// What one step of an <see cref="IPop3SaslExchange"/> came to: made with <see cref="Challenge"/>, <see cref="Success"/>,
/// <see cref="Failure"/>, <see cref="Malformed"/> or <see cref="TemporaryFailure"/>; the AUTH command acts on it.
/// </summary>
public readonly struct Pop3SaslStep
{
    private Pop3SaslStep(Pop3SaslOutcome outcome, ReadOnlyMemory<byte> data = default, string? user = null, string? mailbox = null)
    {
        Outcome = outcome;
        Data = data;
        User = user;
        Mailbox = mailbox;
    }

    /// <summary>The response does not follow the mechanism's syntax (<c>-ERR</c>).</summary>
    public static Pop3SaslStep Malformed => new(Pop3SaslOutcome.Malformed);

    /// <summary>The user store could not be asked: <c>-ERR [SYS/TEMP]</c>.</summary>
    public static Pop3SaslStep TemporaryFailure => new(Pop3SaslOutcome.TemporaryFailure);

    /// <summary>What happens next.</summary>
    internal Pop3SaslOutcome Outcome { get; }

    /// <summary>A challenge, additional data with success, or error data, unencoded.</summary>
    internal ReadOnlyMemory<byte> Data { get; }

    /// <summary>The authenticated user (on success), or the claimed one (on failure, for Debug logs only).</summary>
    internal string? User { get; }

    /// <summary>On success, the mailbox to open.</summary>
    internal string? Mailbox { get; }

    /// <summary>Sends <paramref name="challenge"/> (unencoded) and waits for the next response.</summary>
    public static Pop3SaslStep Challenge(ReadOnlyMemory<byte> challenge) => new(Pop3SaslOutcome.Challenge, challenge);

    /// <summary>Logs <paramref name="user"/> in to <paramref name="mailbox"/>, after sending <paramref name="additionalData"/> if any.</summary>
    public static Pop3SaslStep Success(string user, string mailbox, ReadOnlyMemory<byte> additionalData = default) =>
        new(Pop3SaslOutcome.Succeeded, additionalData, user, mailbox);

    /// <summary>
    /// Bad credentials: <c>-ERR [AUTH]</c> after the failure delay, after sending <paramref name="errorData"/> as a last
    /// challenge if any (RFC 7628). <paramref name="claimedUser"/> appears in Debug logs only.
    /// </summary>
    public static Pop3SaslStep Failure(string? claimedUser = null, ReadOnlyMemory<byte> errorData = default) =>
        new(Pop3SaslOutcome.Failed, errorData, claimedUser);
}
