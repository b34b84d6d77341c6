namespace Pop3.Kestrel.Authentication;

/// <summary>The answer of <see cref="IPop3GuessStore.TryBeginAsync"/>: the guess may be checked, or why not.</summary>
public enum Pop3GuessVerdict
{
    /// <summary>The guess may be checked; it holds a place in each window until it fails or ends.</summary>
    Allowed,

    /// <summary>The address is banned, or as many guesses as it may have are failed or being checked.</summary>
    AddressBanned,

    /// <summary>The user is locked out from addresses that are not familiar for them.</summary>
    UserLockedOut,

    /// <summary>As many guesses at this user from this address as allowed have failed or are being checked.</summary>
    UserAddressLimit,
}
