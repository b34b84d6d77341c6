using System.Collections;

namespace Pop3.Kestrel.Diagnostics;

/// <summary>
/// The log scope of one connection. Loggers read a scope each time they write an event, so the user
/// appears in every line from the moment the session knows it, and <c>Tls</c> turns true after STLS.
/// </summary>
internal sealed class Pop3LogScope(Pop3ConnectionInfo connection, Func<string?> user) : IReadOnlyList<KeyValuePair<string, object?>>
{
    private readonly string? _remote = connection.RemoteEndPoint?.ToString();

    public int Count => user() is null ? 3 : 4;

    public KeyValuePair<string, object?> this[int index] => index switch
    {
        0 => new("ConnectionId", connection.ConnectionId),
        1 => new("RemoteEndPoint", _remote),
        2 => new("Tls", connection.IsSecure),
        3 when user() is { } name => new("User", name),
        _ => throw new ArgumentOutOfRangeException(nameof(index)),
    };

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator()
    {
        for (var i = 0; i < Count; i++)
        {
            yield return this[i];
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public override string ToString() =>
        user() is { } name ? $"{connection.ConnectionId} {_remote} user={name}" : $"{connection.ConnectionId} {_remote}";
}
