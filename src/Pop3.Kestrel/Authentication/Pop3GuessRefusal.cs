namespace Pop3.Kestrel.Authentication;

/// <summary>Why a guess was refused without being checked.</summary>
internal enum Pop3GuessRefusal
{
    /// <summary>Not refused.</summary>
    None,

    /// <summary>The address is banned, or as many guesses as it may have are failed or being checked.</summary>
    AddressBanned,

    /// <summary>The user is locked out from addresses that are not familiar for them.</summary>
    UserLockedOut,

    /// <summary>As many guesses at this user from this address as allowed have failed or are being checked.</summary>
    UserAddressLimit,

    /// <summary>The shared store of guess counters could not be asked: nothing is checked until it answers.</summary>
    StoreUnavailable,
}
