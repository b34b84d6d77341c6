using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Pop3.Kestrel.Authentication;

namespace Pop3.Kestrel.Admin;

/// <summary>
/// <c>GET /bans</c> lists the address bans in force (this node's and the store's, which other nodes share);
/// <c>DELETE /bans/{address}</c> lifts one: the address as the list shows it (<c>2001:db8:1:2::/64</c>) or any client
/// address it covers (<c>2001:db8:1:2::9</c>). <c>DELETE /users/{user}/lockout</c> lifts a user's lockout where the guess
/// counters are kept (this node's memory, or the shared store, for every node).
/// </summary>
internal static class Pop3AdminBans
{
    public static async Task<IResult> ListAsync(Pop3LoginThrottle throttle, IPop3LockoutStore store, TimeProvider time, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var bans = (await store.ListBansAsync(now, cancellationToken))
            .Concat(throttle.Bans())
            .GroupBy(b => b.Address, StringComparer.Ordinal)
            .Select(g => g.MaxBy(b => b.Until)!)
            .OrderBy(b => b.Since)
            .Select(b => new Pop3BanView(b.Address, b.Since, b.Until, (long)Math.Ceiling((b.Until - now).TotalSeconds), b.Failures));
        return Results.Ok(bans.ToArray());
    }

    public static async Task<IResult> LiftAsync(string address, Pop3LoginThrottle throttle, IPop3GuessCounters counters, IPop3LockoutStore store, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var key = Uri.UnescapeDataString(address);
        if (IPAddress.TryParse(key, out var ip))
        {
            key = Pop3AddressKey.Of(ip);
        }

        var here = throttle.Lift(key);
        await counters.ForgetAddressAsync(key, cancellationToken);
        var stored = await store.LiftBanAsync(key, cancellationToken);
        if (!here && !stored)
        {
            return Results.NotFound(new { lifted = 0 });
        }

        Pop3AuthLog.BanLifted(loggers.CreateLogger("Pop3.Kestrel.Admin"), key);
        return Results.Ok(new { lifted = 1 });
    }

    public static async Task<IResult> UnlockAsync(string user, IPop3GuessCounters counters, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        if (!await counters.UnlockAsync(Pop3AddressKey.User(user), cancellationToken))
        {
            return Results.NotFound(new { unlocked = 0 });
        }

        Pop3AuthLog.LockoutLifted(loggers.CreateLogger("Pop3.Kestrel.Admin"), Pop3AddressKey.LogName(user));
        return Results.Ok(new { unlocked = 1 });
    }
}

/// <summary>One ban in <c>GET /bans</c>.</summary>
/// <param name="Address">The banned address, an IPv6 one as its /64: <c>DELETE /bans/{address}</c> lifts it.</param>
/// <param name="Since">When the ban began.</param>
/// <param name="Until">When it ends.</param>
/// <param name="Seconds">Seconds left.</param>
/// <param name="Failures">The failed guesses that led to it.</param>
internal sealed record Pop3BanView(string Address, DateTimeOffset Since, DateTimeOffset Until, long Seconds, int Failures);
