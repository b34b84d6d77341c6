using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Pop3.Kestrel.Connections;
using Pop3.Kestrel.Diagnostics;
using Pop3.Kestrel.Protocol;
using Pop3.Kestrel.Sessions;

namespace Pop3.Kestrel.Authentication;

/// <summary>
/// What one connection has done towards logging in: its attempts, its APOP timestamp, and the password guess being
/// checked now. Scoped: one per connection; a guess still held when the connection ends is given back.
/// </summary>
internal sealed class Pop3LoginState(Pop3LoginThrottle throttle) : IDisposable
{
    /// <summary>Login attempts that ended without a login (failed, cancelled or malformed).</summary>
    public int Attempts { get; set; }

    /// <summary>The <c>&lt;...&gt;</c> timestamp sent in this connection's greeting, when APOP is offered.</summary>
    public string? ApopTimestamp { get; set; }

    /// <summary>The guess the throttle allowed and that has not failed or ended yet.</summary>
    public Pop3GuessTicket? Guess { get; set; }

    /// <summary>Why the last guess was refused unchecked, until the refusal is answered.</summary>
    public Pop3GuessRefusal Refusal { get; set; }

    /// <summary>Gives back the place of a guess that ended without failing.</summary>
    public void EndGuess()
    {
        if (Guess is { } guess)
        {
            Guess = null;
            throttle.End(guess);
        }
    }

    public void Dispose() => EndGuess();
}

/// <summary>Why a login attempt ended without a login.</summary>
internal enum Pop3LoginFailure
{
    /// <summary>Wrong credentials (or an unknown user, which looks the same): <c>-ERR [AUTH]</c> after the failure delay.</summary>
    Credentials,

    /// <summary>The client sent <c>*</c>.</summary>
    Cancelled,

    /// <summary>A SASL response was not base64.</summary>
    BadBase64,

    /// <summary>A SASL response did not follow the mechanism's syntax.</summary>
    Malformed,
}

/// <summary>
/// The rules every login path (USER/PASS, APOP, AUTH) shares: before a secret is checked the shared
/// <see cref="Pop3LoginThrottle"/> is asked whether this guess may be checked at all; a failure waits the per-address
/// delay, counts against <see cref="Pop3AuthenticationOptions.MaxAttempts"/> and, at the last attempt, closes the
/// connection; a success is checked against LOGIN-DELAY and the per user+address limit before the maildrop is opened,
/// and makes the address familiar for the user.
/// </summary>
internal sealed class Pop3LoginGuard(
    IOptions<Pop3AuthenticationOptions> options,
    Pop3LoginThrottle throttle,
    Pop3ConnectionGate gate,
    IPop3LoginHistory history,
    IPop3LockoutStore store,
    TimeProvider time,
    ILogger<Pop3LoginGuard> logger,
    Pop3GuessMetrics? metrics = null)
{
    private readonly Pop3AuthenticationOptions _options = options.Value;
    private readonly Lazy<Task> _loaded = new(() => LoadAsync(store, throttle, options.Value, time, logger));

    /// <summary>
    /// For SASL mechanisms: <see cref="BeginGuessAsync"/> through the connection's services (true where no guard is
    /// registered). A mechanism that gets false returns <see cref="Pop3SaslStep.Failure"/> without checking anything.
    /// </summary>
    public static ValueTask<bool> MayCheckAsync(Pop3SessionContext context, string? user, CancellationToken cancellationToken) =>
        context.Services.GetService<Pop3LoginGuard>() is { } guard ? guard.BeginGuessAsync(context, user, cancellationToken) : ValueTask.FromResult(true);

    /// <summary>
    /// Asks, before a password, digest, proof or token is checked, whether this guess at <paramref name="user"/> (null
    /// when the mechanism names no user before checking) may be checked. False: do not check it, and fail the attempt
    /// with <see cref="FailAsync"/>, which then answers with the refusal.
    /// </summary>
    public async ValueTask<bool> BeginGuessAsync(Pop3SessionContext context, string? user, CancellationToken cancellationToken)
    {
        var state = context.Services.GetRequiredService<Pop3LoginState>();
        state.EndGuess();
        await _loaded.Value;
        var address = Pop3AddressKey.Of(context.Connection.RemoteAddress);
        var name = user is null ? null : Pop3AddressKey.User(user);
        var now = time.GetUtcNow();
        var standing = default(Pop3AddressStanding);
        try
        {
            standing = await store.GetStandingAsync(name, address, FamiliarSince(now), now, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Pop3AuthLog.LockoutStoreFailed(logger, e, "standing");
        }

        if (standing.BannedUntil is { } until)
        {
            throttle.NoteBan(new Pop3AddressBan(address, now, until, _options.BanAfterFailures));
        }

        if (standing.Familiar)
        {
            throttle.NoteHome(address);
        }

        var guess = throttle.TryBegin(address, name, standing.Familiar && _options.FamiliarAddressDays > 0, out var refusal);
        if (guess is null)
        {
            state.Refusal = refusal;
            Pop3AuthLog.GuessRefused(logger, Pop3AddressKey.Display(context.Connection), address, Pop3AddressKey.LogName(name), ReasonName(refusal));
            metrics?.Refused(refusal);
            return false;
        }

        state.Guess = guess;
        metrics?.Evaluated();
        return true;
    }

    /// <summary>Writes the reply to a failed attempt, after the failure delay for wrong credentials. Returns Failed, or Close after the last attempt.</summary>
    public async ValueTask<Pop3CommandResult> FailAsync(Pop3SessionContext context, Pop3LoginFailure failure, string method, string? user, CancellationToken cancellationToken)
    {
        var state = context.Services.GetRequiredService<Pop3LoginState>();
        var attempt = ++state.Attempts;
        var refusal = state.Refusal;
        state.Refusal = Pop3GuessRefusal.None;
        if (failure == Pop3LoginFailure.Credentials && refusal == Pop3GuessRefusal.None)
        {
            Pop3AuthLog.AuthenticationFailed(logger, method, attempt);
            if (user is not null)
            {
                Pop3AuthLog.AuthenticationFailedFor(logger, method, user);
            }

            await RecordFailureAsync(context, state, user, cancellationToken);
        }
        else
        {
            // A guess that was not checked, or an attempt that was not a guess: no place to keep.
            state.EndGuess();
        }

        if (attempt >= _options.MaxAttempts)
        {
            Pop3AuthLog.TooManyAttempts(logger, failure.ToString(), method, attempt);
            context.Write(Pop3Replies.TooManyAttempts);
            return Pop3CommandResult.Close;
        }

        context.Write(refusal switch
        {
            Pop3GuessRefusal.AddressBanned => Pop3Replies.AddressBanned,
            Pop3GuessRefusal.UserLockedOut or Pop3GuessRefusal.UserAddressLimit => Pop3Replies.UserLockedOut,
            _ => failure switch
            {
                Pop3LoginFailure.Cancelled => Pop3Replies.AuthCancelled,
                Pop3LoginFailure.BadBase64 => Pop3Replies.AuthBadBase64,
                Pop3LoginFailure.Malformed => Pop3Replies.AuthMalformed,
                _ => Pop3Replies.AuthFailed,
            },
        });
        return Pop3CommandResult.Failed;
    }

    /// <summary>The user store could not be asked: the guess was not decided, so its place is given back.</summary>
    public void GuessNotDecided(Pop3SessionContext context) => context.Services.GetRequiredService<Pop3LoginState>().EndGuess();

    /// <summary>
    /// After the credentials are proven, before the maildrop is opened: gives back the guess's place, then enforces
    /// LOGIN-DELAY and the per user+address limit. On refusal the reply is written and false returned.
    /// </summary>
    public async ValueTask<bool> BeforeOpenAsync(Pop3SessionContext context, string user, int loginDelaySeconds, CancellationToken cancellationToken)
    {
        context.Services.GetRequiredService<Pop3LoginState>().EndGuess();
        if (loginDelaySeconds > 0
            && await history.GetLastLoginAsync(user, cancellationToken) is { } last
            && time.GetUtcNow() - last < TimeSpan.FromSeconds(loginDelaySeconds))
        {
            Pop3AuthLog.LoginDelayRefused(logger, user, loginDelaySeconds);
            context.Write(Pop3Replies.LoginDelay);
            return false;
        }

        if (!gate.TryBindUser(context.Connection, user))
        {
            Pop3AuthLog.TooManyUserConnections(logger, user);
            context.Write(Pop3Replies.TooManyUserConnections);
            return false;
        }

        return true;
    }

    /// <summary>The maildrop could not be opened: the login did not happen.</summary>
    public void OpenFailed(Pop3SessionContext context) => gate.UnbindUser(context.Connection);

    /// <summary>
    /// The login happened: remembered for LOGIN-DELAY (by <paramref name="mailbox"/>), and the address becomes familiar
    /// for <paramref name="user"/>, the name the client logged in with.
    /// </summary>
    public async ValueTask LoggedInAsync(Pop3SessionContext context, string user, string mailbox, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await history.RecordLoginAsync(mailbox, now, cancellationToken);
        if (_options.FamiliarAddressDays <= 0)
        {
            return;
        }

        var address = Pop3AddressKey.Of(context.Connection.RemoteAddress);
        throttle.NoteHome(address);
        try
        {
            await store.RecordLoginAsync(Pop3AddressKey.User(user), address, now, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Pop3AuthLog.LockoutStoreFailed(logger, e, "record login");
        }
    }

    private async ValueTask RecordFailureAsync(Pop3SessionContext context, Pop3LoginState state, string? user, CancellationToken cancellationToken)
    {
        var guess = state.Guess;
        state.Guess = null;
        var address = guess?.Address ?? Pop3AddressKey.Of(context.Connection.RemoteAddress);
        var name = guess is not null ? guess.User : user is null ? null : Pop3AddressKey.User(user);
        var outcome = throttle.Fail(guess, address, name);
        var display = Pop3AddressKey.Display(context.Connection);
        Pop3AuthLog.GuessFailed(logger, display, address, (long)outcome.Delay.TotalMilliseconds);
        metrics?.Failed();
        if (outcome.Ban is { } ban)
        {
            Pop3AuthLog.AddressBanned(logger, display, address, ban.Failures, (long)(ban.Until - ban.Since).TotalSeconds);
            try
            {
                await store.BanAsync(ban, cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                Pop3AuthLog.LockoutStoreFailed(logger, e, "ban");
            }
        }

        if (outcome.LockedOutUntil is { } until)
        {
            Pop3AuthLog.UserLockedOut(logger, display, address, Pop3AddressKey.LogName(name), outcome.UserFailures, (long)_options.LockoutDuration.TotalSeconds);
            metrics?.LockedOut();
        }

        if (outcome.Delay > TimeSpan.Zero)
        {
            await Task.Delay(outcome.Delay, time, cancellationToken);
        }
    }

    private DateTimeOffset FamiliarSince(DateTimeOffset now) => now - TimeSpan.FromDays(_options.FamiliarAddressDays);

    internal static string ReasonName(Pop3GuessRefusal refusal) => refusal switch
    {
        Pop3GuessRefusal.AddressBanned => "address-banned",
        Pop3GuessRefusal.UserLockedOut => "user-locked-out",
        Pop3GuessRefusal.UserAddressLimit => "user-address-limit",
        _ => "none",
    };

    // Once per process, at the first guess: bans and familiar addresses saved before a restart, so a banned address
    // with no familiar user is refused at connect again. A store that cannot be read delays nothing: each guess
    // still asks it.
    private static async Task LoadAsync(IPop3LockoutStore store, Pop3LoginThrottle throttle, Pop3AuthenticationOptions options, TimeProvider time, ILogger logger)
    {
        var now = time.GetUtcNow();
        try
        {
            foreach (var ban in await store.ListBansAsync(now, CancellationToken.None))
            {
                throttle.NoteBan(ban);
            }

            if (options.FamiliarAddressDays > 0)
            {
                foreach (var address in await store.ListFamiliarAddressesAsync(now - TimeSpan.FromDays(options.FamiliarAddressDays), Math.Max(1, options.TrackedEntries), CancellationToken.None))
                {
                    throttle.NoteHome(address);
                }
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            Pop3AuthLog.LockoutStoreFailed(logger, e, "load");
        }
    }
}
