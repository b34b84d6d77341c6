namespace Pop3.Kestrel.Authentication;

/// <summary>The default <see cref="IPop3GuessCounters"/>: this node's <see cref="Pop3LoginThrottle"/> windows, in memory.</summary>
internal sealed class Pop3MemoryGuessCounters(Pop3LoginThrottle throttle) : IPop3GuessCounters
{
    public ValueTask<Pop3GuessStart> TryBeginAsync(string address, string? user, bool familiar, CancellationToken cancellationToken)
    {
        var ticket = throttle.TryBegin(address, user, familiar, out var refusal);
        return ValueTask.FromResult(new Pop3GuessStart(ticket, refusal));
    }

    public ValueTask<Pop3GuessFailure> FailAsync(Pop3GuessTicket? ticket, string address, string? user, CancellationToken cancellationToken) =>
        ValueTask.FromResult(throttle.Fail(ticket, address, user));

    public ValueTask EndAsync(Pop3GuessTicket ticket, CancellationToken cancellationToken)
    {
        throttle.End(ticket);
        return ValueTask.CompletedTask;
    }

    public ValueTask<bool> UnlockAsync(string user, CancellationToken cancellationToken) => ValueTask.FromResult(throttle.Unlock(user));

    public ValueTask ForgetAddressAsync(string address, CancellationToken cancellationToken)
    {
        throttle.Lift(address);
        return ValueTask.CompletedTask;
    }
}
