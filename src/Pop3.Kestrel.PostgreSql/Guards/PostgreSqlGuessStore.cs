using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;
using Pop3.Kestrel.Authentication;

namespace Pop3.Kestrel.PostgreSql;

/// <summary>
/// The guess windows of every node in one table (<c>pop3_guess_windows</c>, migration 4), so
/// <see cref="Pop3AuthenticationOptions.BanAfterFailures"/>, <see cref="Pop3AuthenticationOptions.LockoutAfterFailures"/>
/// and <see cref="Pop3AuthenticationOptions.MaxFailuresPerUserAddress"/> hold for the fleet, not per node. Each
/// decision is one call of a function that locks the guess's rows (an upsert each) and answers in one round trip, so
/// guesses in flight on any node are counted before another is allowed. Rows expire with their windows; expired ones
/// are purged by whichever node next asks, at most once a minute, a bounded batch at a time.
/// </summary>
internal sealed class PostgreSqlGuessStore(PostgreSqlMailStore store, IOptions<Pop3AuthenticationOptions> options, TimeProvider time)
    : IPop3GuessStore
{
    /// <summary>How long a place held by a guess being checked lasts, should its node never give it back.</summary>
    internal static readonly TimeSpan Hold = TimeSpan.FromMinutes(5);

    /// <summary>Failures kept per key beyond which the count (and the reply delay it sets) no longer grows.</summary>
    private const int MaxKept = 100;

    private static readonly TimeSpan PurgeEvery = TimeSpan.FromMinutes(1);
    private readonly Pop3AuthenticationOptions _options = options.Value;
    private long _nextPurgeTicks;

    public async ValueTask<Pop3GuessVerdict> TryBeginAsync(string address, string? user, bool familiar, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await using var batch = store.DataSource.CreateBatch();
        var begin = new NpgsqlBatchCommand(
            "SELECT pop3_guess_begin(@now, @hold, @familiar, @address, @address_limit, @address_window, @user, @user_limit, @user_window, @pair, @pair_limit, @pair_window)");
        var p = begin.Parameters;
        p.AddWithValue("now", now);
        p.AddWithValue("hold", Hold);
        p.AddWithValue("familiar", familiar);
        p.AddWithValue("address", address);
        p.AddWithValue("address_limit", LimitOf(_options.BanAfterFailures));
        p.AddWithValue("address_window", _options.BanDuration);
        AddText(p, "user", user);
        p.AddWithValue("user_limit", LimitOf(_options.LockoutAfterFailures));
        p.AddWithValue("user_window", _options.LockoutDuration);
        AddText(p, "pair", PairKey(user, address));
        p.AddWithValue("pair_limit", LimitOf(_options.MaxFailuresPerUserAddress));
        p.AddWithValue("pair_window", _options.LockoutDuration);
        batch.BatchCommands.Add(begin);
        AddPurgeIfDue(batch, now);

        var verdict = (short)(await batch.ExecuteScalarAsync(cancellationToken))!;
        return verdict switch
        {
            0 => Pop3GuessVerdict.Allowed,
            1 => Pop3GuessVerdict.AddressBanned,
            2 => Pop3GuessVerdict.UserLockedOut,
            _ => Pop3GuessVerdict.UserAddressLimit,
        };
    }

    public async ValueTask<(int AddressFailures, int UserFailures, DateTimeOffset? LockedOutUntil)> FailAsync(bool held, string address, string? user, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await using var command = store.DataSource.CreateCommand(
            """
            SELECT address_failures, user_failures, locked_out_until
            FROM pop3_guess_fail(@now, @held, @address, @address_window, @address_keep,
                                 @user, @user_window, @user_keep, @lockout_after, @lockout,
                                 @pair, @pair_window, @pair_keep)
            """);
        var p = command.Parameters;
        p.AddWithValue("now", now);
        p.AddWithValue("held", held);
        p.AddWithValue("address", address);
        p.AddWithValue("address_window", _options.BanDuration);
        p.AddWithValue("address_keep", KeepOf(_options.BanAfterFailures));
        AddText(p, "user", user);
        p.AddWithValue("user_window", _options.LockoutDuration);
        p.AddWithValue("user_keep", KeepOf(_options.LockoutAfterFailures));
        p.AddWithValue("lockout_after", _options.LockoutAfterFailures);
        p.AddWithValue("lockout", _options.LockoutDuration);
        AddText(p, "pair", PairKey(user, address));
        p.AddWithValue("pair_window", _options.LockoutDuration);
        p.AddWithValue("pair_keep", KeepOf(_options.MaxFailuresPerUserAddress));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        var addressFailures = reader.GetInt32(0);
        var userFailures = reader.GetInt32(1);
        DateTimeOffset? lockedOutUntil = reader.IsDBNull(2) ? null : reader.GetFieldValue<DateTimeOffset>(2);
        return (addressFailures, userFailures, lockedOutUntil);
    }

    public async ValueTask EndAsync(string address, string? user, CancellationToken cancellationToken)
    {
        await using var command = store.DataSource.CreateCommand(
            "SELECT pop3_guess_end(@now, @address, @address_window, @user, @user_window, @pair, @pair_window)");
        var p = command.Parameters;
        p.AddWithValue("now", time.GetUtcNow());
        p.AddWithValue("address", address);
        p.AddWithValue("address_window", _options.BanDuration);
        AddText(p, "user", user);
        p.AddWithValue("user_window", _options.LockoutDuration);
        AddText(p, "pair", PairKey(user, address));
        p.AddWithValue("pair_window", _options.LockoutDuration);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async ValueTask<bool> UnlockAsync(string user, CancellationToken cancellationToken)
    {
        // The user's row before its pairs: the order in which guesses lock them.
        await using var batch = store.DataSource.CreateBatch();
        var locked = new NpgsqlBatchCommand("DELETE FROM pop3_guess_windows WHERE kind = 1 AND key = @user RETURNING blocked_until > @now");
        locked.Parameters.AddWithValue("user", user);
        locked.Parameters.AddWithValue("now", time.GetUtcNow());
        var pairs = new NpgsqlBatchCommand("DELETE FROM pop3_guess_windows WHERE kind = 2 AND starts_with(key, @prefix)");
        pairs.Parameters.AddWithValue("prefix", user + "\n");
        batch.BatchCommands.Add(locked);
        batch.BatchCommands.Add(pairs);
        return await batch.ExecuteScalarAsync(cancellationToken) is true;
    }

    public async ValueTask ForgetAddressAsync(string address, CancellationToken cancellationToken)
    {
        await using var command = store.DataSource.CreateCommand("DELETE FROM pop3_guess_windows WHERE kind = 0 AND key = @address");
        command.Parameters.AddWithValue("address", address);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private void AddPurgeIfDue(NpgsqlBatch batch, DateTimeOffset now)
    {
        var next = Interlocked.Read(ref _nextPurgeTicks);
        if (now.UtcTicks < next || Interlocked.CompareExchange(ref _nextPurgeTicks, now.UtcTicks + PurgeEvery.Ticks, next) != next)
        {
            return;
        }

        var purge = new NpgsqlBatchCommand(
            """
            DELETE FROM pop3_guess_windows
            WHERE ctid = ANY (ARRAY (SELECT ctid FROM pop3_guess_windows WHERE expires_at < @now LIMIT 1000))
              AND expires_at < @now
            """);
        purge.Parameters.AddWithValue("now", now);
        batch.BatchCommands.Add(purge);
    }

    private string? PairKey(string? user, string address) =>
        user is null || _options.MaxFailuresPerUserAddress <= 0 ? null : user + "\n" + address;

    private static void AddText(NpgsqlParameterCollection parameters, string name, string? value) =>
        parameters.AddWithValue(name, NpgsqlDbType.Text, (object?)value ?? DBNull.Value);

    // A disabled limit still counts failures (the address's count sets the reply delay).
    private static int LimitOf(int limit) => limit > 0 ? limit : int.MaxValue;

    private static int KeepOf(int limit) => limit > 0 ? Math.Min(limit, MaxKept) : MaxKept;
}
