namespace Pop3.Kestrel.Connections;

/// <summary>Where an admitted connection stands in the gate's counts.</summary>
internal enum Pop3LeaseState : byte
{
    /// <summary>Counted in the total and in the unauthenticated pool.</summary>
    Unauthenticated,

    /// <summary>Counted in the total only; never evicted.</summary>
    Authenticated,

    /// <summary>Closed by the gate to admit another; no longer counted.</summary>
    Evicted,

    /// <summary>The connection ended.</summary>
    Released,
}
