using System.Text.Json;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Pop3.Kestrel.Authentication;

/// <summary>
/// The default <see cref="IPop3LockoutStore"/>: bans and familiar addresses in memory, and in
/// <see cref="Pop3AuthenticationOptions.StateFile"/> when it is set. The file is read once at start-up (a damaged or
/// unreadable file is logged and the server starts without it) and rewritten after each change, at most one write
/// at a time, to a temporary file renamed over the old one, so a crash leaves the old file or the new one, never half
/// of one. Bounded: at most <see cref="Pop3AuthenticationOptions.TrackedEntries"/> users with
/// <see cref="Pop3AuthenticationOptions.FamiliarAddressesPerUser"/> addresses each, and as many bans.
/// </summary>
internal sealed class Pop3FileLockoutStore : IPop3LockoutStore, IAsyncDisposable, IDisposable
{
    // A login from a familiar address moves its time forward only when the stored time is this old: the file is
    // not rewritten for every login.
    private static readonly TimeSpan Refresh = TimeSpan.FromHours(1);

    private readonly Lock _lock = new();
    private readonly Pop3TrackingTable<List<Familiar>> _users;
    private readonly Dictionary<string, Pop3AddressBan> _bans = new(StringComparer.Ordinal);
    private readonly int _perUser;
    private readonly int _maxBans;
    private readonly ILogger<Pop3FileLockoutStore> _logger;
    private int _dirty;
    private int _writing;
    private Task _write = Task.CompletedTask;

    public Pop3FileLockoutStore(
        IOptions<Pop3AuthenticationOptions> options,
        ILogger<Pop3FileLockoutStore> logger,
        IHostEnvironment? environment = null,
        IOptions<Hosting.Pop3ServerOptions>? server = null)
    {
        var settings = options.Value;
        _logger = logger;
        _perUser = Math.Max(1, settings.FamiliarAddressesPerUser);
        _maxBans = Math.Max(1, settings.TrackedEntries);
        _users = new(_maxBans);
        if (settings.StateFile is { Length: > 0 } file)
        {
            // Relative to the data directory (Pop3:DataPath), itself relative to the content root.
            var data = server?.Value.DataPath ?? "data";
            Path = System.IO.Path.GetFullPath(System.IO.Path.Combine(data, file), environment?.ContentRootPath ?? Directory.GetCurrentDirectory());
            Load();
        }
    }

    /// <summary>The state file, or null when the state is kept in memory only.</summary>
    internal string? Path { get; }

    public ValueTask<Pop3AddressStanding> GetStandingAsync(string? user, string address, DateTimeOffset familiarSince, DateTimeOffset now, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            var familiar = user is not null && _users.Get(user) is { } addresses && addresses.Exists(a => a.Address == address && a.Last >= familiarSince);
            DateTimeOffset? bannedUntil = _bans.TryGetValue(address, out var ban) && ban.Until > now ? ban.Until : null;
            return ValueTask.FromResult(new Pop3AddressStanding(familiar, bannedUntil));
        }
    }

    public ValueTask RecordLoginAsync(string user, string address, DateTimeOffset time, CancellationToken cancellationToken)
    {
        bool changed;
        lock (_lock)
        {
            changed = Remember(user, address, time);
        }

        if (changed)
        {
            Changed();
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask BanAsync(Pop3AddressBan ban, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            AddBan(ban);
        }

        Changed();
        return ValueTask.CompletedTask;
    }

    public ValueTask<bool> LiftBanAsync(string address, CancellationToken cancellationToken)
    {
        bool lifted;
        lock (_lock)
        {
            lifted = _bans.Remove(address);
        }

        if (lifted)
        {
            Changed();
        }

        return ValueTask.FromResult(lifted);
    }

    public ValueTask<IReadOnlyList<Pop3AddressBan>> ListBansAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return ValueTask.FromResult<IReadOnlyList<Pop3AddressBan>>(_bans.Values.Where(b => b.Until > now).OrderBy(b => b.Since).ToArray());
        }
    }

    public ValueTask<IReadOnlyList<string>> ListFamiliarAddressesAsync(DateTimeOffset since, int limit, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return ValueTask.FromResult<IReadOnlyList<string>>(_users.Entries
                .SelectMany(u => u.Value)
                .Where(a => a.Last >= since)
                .OrderByDescending(a => a.Last)
                .Select(a => a.Address)
                .Distinct(StringComparer.Ordinal)
                .Take(limit)
                .ToArray());
        }
    }

    /// <summary>Waits for the file to hold every change made so far.</summary>
    internal async Task FlushAsync()
    {
        while (Volatile.Read(ref _dirty) == 1 || Volatile.Read(ref _writing) == 1)
        {
            await Volatile.Read(ref _write);
            await Task.Yield();
        }
    }

    public async ValueTask DisposeAsync() => await FlushAsync();

    // A container disposed synchronously still gets the last change written.
    public void Dispose() => FlushAsync().GetAwaiter().GetResult();

    private bool Remember(string user, string address, DateTimeOffset time)
    {
        var addresses = _users.GetOrAdd(user, static () => []);
        var index = addresses.FindIndex(a => a.Address == address);
        if (index >= 0)
        {
            var known = addresses[index];
            var stale = time - known.Last >= Refresh;
            addresses.RemoveAt(index);
            addresses.Insert(0, stale ? known with { Last = time } : known);
            return stale;
        }

        addresses.Insert(0, new Familiar(address, time));
        if (addresses.Count > _perUser)
        {
            addresses.RemoveRange(_perUser, addresses.Count - _perUser);
        }

        return true;
    }

    private void AddBan(Pop3AddressBan ban)
    {
        // Bans that are over go when a new one comes, so the file holds little more than the bans in force.
        foreach (var over in _bans.Values.Where(b => b.Until <= ban.Since).ToArray())
        {
            _bans.Remove(over.Address);
        }

        if (!_bans.ContainsKey(ban.Address) && _bans.Count >= _maxBans)
        {
            // Full: the ban that ends soonest makes room.
            var soonest = _bans.Values.MinBy(b => b.Until)!;
            _bans.Remove(soonest.Address);
        }

        _bans[ban.Address] = ban;
    }

    private void Changed()
    {
        if (Path is null)
        {
            return;
        }

        Volatile.Write(ref _dirty, 1);
        StartWriter();
    }

    private void StartWriter()
    {
        if (Interlocked.CompareExchange(ref _writing, 1, 0) == 0)
        {
            Volatile.Write(ref _write, Task.Run(WriteLoopAsync));
        }
    }

    private async Task WriteLoopAsync()
    {
        try
        {
            while (Interlocked.Exchange(ref _dirty, 0) == 1)
            {
                await WriteAsync();
            }
        }
        finally
        {
            Volatile.Write(ref _writing, 0);
            if (Volatile.Read(ref _dirty) == 1)
            {
                StartWriter();
            }
        }
    }

    private async Task WriteAsync()
    {
        StateFile state;
        lock (_lock)
        {
            state = new StateFile(
                1,
                _bans.Values.ToArray(),
                _users.Entries.Reverse().Select(u => new UserEntry(u.Key, u.Value.Select(a => new AddressEntry(a.Address, a.Last)).ToArray())).ToArray());
        }

        var path = Path!;
        var temporary = path + ".tmp";
        try
        {
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
            await using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 4096, FileOptions.Asynchronous))
            {
                await JsonSerializer.SerializeAsync(stream, state);
                await stream.FlushAsync();
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, path, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Pop3AuthLog.StateFileNotWritten(_logger, path, e.Message);
        }
    }

    private void Load()
    {
        var path = Path!;
        if (!File.Exists(path))
        {
            return;
        }

        try
        {
            var state = JsonSerializer.Deserialize<StateFile>(File.ReadAllBytes(path)) ?? throw new JsonException("empty document");
            lock (_lock)
            {
                foreach (var user in state.Users ?? [])
                {
                    if (user?.User is not { Length: > 0 } name || user.Addresses is null)
                    {
                        continue;
                    }

                    // Oldest first, so the newest ends up the most recently used.
                    foreach (var address in user.Addresses.Where(a => a?.Address is { Length: > 0 }).Reverse())
                    {
                        Remember(name, address.Address, address.Last);
                    }
                }

                foreach (var ban in state.Bans ?? [])
                {
                    if (ban?.Address is { Length: > 0 })
                    {
                        AddBan(ban);
                    }
                }
            }
        }
        catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException or NotSupportedException)
        {
            Pop3AuthLog.StateFileUnreadable(_logger, path, e.Message);
        }
    }

    private readonly record struct Familiar(string Address, DateTimeOffset Last);

    private sealed record StateFile(int Version, Pop3AddressBan[]? Bans, UserEntry[]? Users);

    private sealed record UserEntry(string User, AddressEntry[]? Addresses);

    private sealed record AddressEntry(string Address, DateTimeOffset Last);
}
