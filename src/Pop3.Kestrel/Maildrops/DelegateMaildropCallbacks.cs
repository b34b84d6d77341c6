namespace Pop3.Kestrel.Maildrops;

/// <summary>
/// The four callbacks of a delegate backend (Net::Server::POP3's <c>list</c>, <c>retrieve</c>, <c>delete</c> and
/// <c>size</c>), each given the mailbox (the user name, or what the authenticator mapped it to).
/// </summary>
/// <param name="List">The ids of the mailbox's messages, oldest first. Called once per session.</param>
/// <param name="Retrieve">The raw bytes of one message, as a stream the framework disposes.</param>
/// <param name="Delete">Removes the given ids, all at once, at UPDATE. An id already gone must not be an error.</param>
/// <param name="Size">
/// Optional: the POP3 size of a message (octets with CRLF line ends, a missing final CRLF counted), or null when
/// unknown. Without it the framework reads each message once to measure it and remembers the result.
/// </param>
internal sealed record DelegateMaildropCallbacks(
    Func<string, CancellationToken, ValueTask<IEnumerable<string>>> List,
    Func<string, string, CancellationToken, ValueTask<Stream>> Retrieve,
    Func<string, IReadOnlyList<string>, CancellationToken, ValueTask> Delete,
    Func<string, string, CancellationToken, ValueTask<long?>>? Size = null);
