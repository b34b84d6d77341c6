using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Pop3.Kestrel.Connections;
using Pop3.Kestrel.Diagnostics;
using Pop3.Kestrel.Protocol;
using Pop3.Kestrel.Sessions;

namespace Pop3.Kestrel.Authentication;

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
    IPop3GuessCounters counters,
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
    /// <see cref="BeginGuessAsync"/> through the connection's services (true where no guard is registered), for SASL
    /// mechanisms through <see cref="Pop3SessionContext.MayCheckCredentialsAsync"/>. A mechanism that gets false returns
    /// <see cref="Pop3SaslStep.Failure"/> without checking anything.
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
        await EndGuessAsync(state);
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

        var familiar = standing.Familiar && _options.FamiliarAddressDays > 0;
        Pop3GuessTicket? guess;
        Pop3GuessRefusal refusal;
        if (!familiar && throttle.IsBanned(address))
        {
            (guess, refusal) = (null, Pop3GuessRefusal.AddressBanned);
        }
        else
        {
            try
            {
                (guess, refusal) = await counters.TryBeginAsync(address, name, familiar, cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // Fail closed: a guess nobody counted could be one beyond the limit on some node.
                Pop3AuthLog.GuessCountersFailed(logger, e, "begin");
                (guess, refusal) = (null, Pop3GuessRefusal.StoreUnavailable);
            }
        }

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
            await EndGuessAsync(state);
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
            Pop3GuessRefusal.StoreUnavailable => Pop3Replies.AuthTemporaryFailure,
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
    public void GuessNotDecided(Pop3SessionContext context)
    {
        var ending = EndGuessAsync(context.Services.GetRequiredService<Pop3LoginState>());
        if (!ending.IsCompletedSuccessfully)
        {
            // A shared store answers later; the reply does not wait for it (failures are logged there).
            _ = ending.AsTask();
        }
    }

    /// <summary>
    /// After the credentials are proven, before the maildrop is opened: gives back the guess's place, then enforces
    /// LOGIN-DELAY and the per user+address limit. On refusal the reply is written and false returned.
    /// </summary>
    public async ValueTask<bool> BeforeOpenAsync(Pop3SessionContext context, string user, int loginDelaySeconds, CancellationToken cancellationToken)
    {
        await EndGuessAsync(context.Services.GetRequiredService<Pop3LoginState>());
        DateTimeOffset? last = null;
        if (loginDelaySeconds > 0)
        {
            try
            {
                last = await history.GetLastLoginAsync(user, cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // LOGIN-DELAY cannot be told to hold: the login waits for the history rather than break the promise.
                Pop3AuthLog.LoginHistoryFailed(logger, e, "last login");
                context.Write(Pop3Replies.AuthTemporaryFailure);
                return false;
            }
        }

        if (last is { } previous && time.GetUtcNow() - previous < TimeSpan.FromSeconds(loginDelaySeconds))
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
        try
        {
            await history.RecordLoginAsync(mailbox, now, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The login happened; only the next one's LOGIN-DELAY check will not know of it.
            Pop3AuthLog.LoginHistoryFailed(logger, e, "record login");
        }

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
        Pop3GuessFailure outcome;
        try
        {
            outcome = await counters.FailAsync(guess, address, name, CancellationToken.None);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Not counted: the longest delay at least slows a guesser while the store is away.
            Pop3AuthLog.GuessCountersFailed(logger, e, "fail");
            outcome = new Pop3GuessFailure(throttle.DelayAfter(int.MaxValue), 0, null, 0, null);
        }

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

    private async ValueTask EndGuessAsync(Pop3LoginState state)
    {
        try
        {
            await state.EndGuessAsync();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The place expires in the store on its own; the client is not refused for it.
            Pop3AuthLog.GuessCountersFailed(logger, e, "end");
        }
    }

    private DateTimeOffset FamiliarSince(DateTimeOffset now) => now - TimeSpan.FromDays(_options.FamiliarAddressDays);

    internal static string ReasonName(Pop3GuessRefusal refusal) => refusal switch
    {
        Pop3GuessRefusal.AddressBanned => "address-banned",
        Pop3GuessRefusal.UserLockedOut => "user-locked-out",
        Pop3GuessRefusal.UserAddressLimit => "user-address-limit",
        Pop3GuessRefusal.StoreUnavailable => "store-unavailable",
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
