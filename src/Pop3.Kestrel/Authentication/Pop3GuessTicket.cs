namespace Pop3.Kestrel.Authentication;

/// <summary>
/// A password guess the throttle allowed to be checked: it holds a place in the windows it was counted against
/// until it fails (the place becomes a failure) or ends otherwise (the place is given back).
/// </summary>
internal sealed class Pop3GuessTicket(string address, string? user, Pop3GuessWindow? addressWindow, Pop3GuessWindow? userWindow, Pop3GuessWindow? pairWindow)
{
    /// <summary>The address key.</summary>
    public string Address => address;

    /// <summary>The guessed user name (lower case), or null when the mechanism names none before checking.</summary>
    public string? User => user;

    /// <summary>Gives back the places this guess held; true the first time only. Called under the throttle's lock.</summary>
    public bool Release()
    {
        if (Released)
        {
            return false;
        }

        Released = true;
        foreach (var window in (ReadOnlySpan<Pop3GuessWindow?>)[addressWindow, userWindow, pairWindow])
        {
            if (window is not null)
            {
                window.InFlight--;
            }
        }

        return true;
    }

    private bool Released { get; set; }
}

/// <summary>What a failed guess led to.</summary>
/// <param name="Delay">How long to wait before replying.</param>
/// <param name="AddressFailures">Failures from the address in its window, this one included.</param>
/// <param name="Ban">The ban this failure started, if it started one.</param>
/// <param name="UserFailures">Failures at the user in its window, this one included (0 without a user).</param>
/// <param name="LockedOutUntil">The end of the lockout this failure started, if it started one.</param>
internal readonly record struct Pop3GuessFailure(TimeSpan Delay, int AddressFailures, Pop3AddressBan? Ban, int UserFailures, DateTimeOffset? LockedOutUntil);
