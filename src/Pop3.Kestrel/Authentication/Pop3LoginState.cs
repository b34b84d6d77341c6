namespace Pop3.Kestrel.Authentication;

/// <summary>
/// What one connection has done towards logging in: its attempts, its APOP timestamp, and the password guess being
/// checked now. Scoped: one per connection; a guess still held when the connection ends is given back.
/// </summary>
internal sealed class Pop3LoginState(IPop3GuessCounters counters) : IAsyncDisposable, IDisposable
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
    public ValueTask EndGuessAsync()
    {
        if (Guess is not { } guess)
        {
            return ValueTask.CompletedTask;
        }

        Guess = null;

        // Not cancelled with the session: a place left held would count against the client until it expires.
        return counters.EndAsync(guess, CancellationToken.None);
    }

    public ValueTask DisposeAsync() => EndGuessAsync();

    // Scopes are disposed asynchronously by the connection handler; in-memory counters end synchronously anyway.
    public void Dispose() => EndGuessAsync().AsTask().GetAwaiter().GetResult();
}
