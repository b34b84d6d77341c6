using Pop3.Kestrel.Protocol;

namespace Pop3.Kestrel.Sessions;

/// <summary>
/// One row of the command table: the handler, the states it may run in, the name logs and metrics give the verb, and
/// for an added verb its keyword and CAPA tag.
/// </summary>
internal sealed record Pop3CommandEntry(IPop3CommandHandler Handler, Pop3CommandStates States, string Name, byte[]? Verb, string? Capability)
{
    /// <summary>The handler's declaration, read once when the table is built.</summary>
    public bool MayBlock { get; } = Handler.MayBlock;

    /// <summary>True if the verb may run in <paramref name="state"/>; nothing runs in UPDATE.</summary>
    public bool IsAllowed(Pop3SessionState state) => state switch
    {
        Pop3SessionState.Authorization => (States & Pop3CommandStates.Authorization) != 0,
        Pop3SessionState.Transaction => (States & Pop3CommandStates.Transaction) != 0,
        _ => false,
    };
}
