namespace Pop3.Kestrel.Protocol;

/// <summary>Which commands each session state accepts (RFC 1939 §4–§6, RFC 2449 §5, RFC 2595 §4, RFC 5034, RFC 6856).</summary>
internal static class Pop3StateTable
{
    private static readonly Pop3Command[] Authorization =
    [
        Pop3Command.User, Pop3Command.Pass, Pop3Command.Apop, Pop3Command.Auth,
        Pop3Command.Stls, Pop3Command.Utf8, Pop3Command.Capa, Pop3Command.Quit,
    ];

    private static readonly Pop3Command[] Transaction =
    [
        Pop3Command.Stat, Pop3Command.List, Pop3Command.Retr, Pop3Command.Dele, Pop3Command.Noop,
        Pop3Command.Rset, Pop3Command.Top, Pop3Command.Uidl, Pop3Command.Capa, Pop3Command.Quit,
    ];

    // One bit per command per state, so the check before every command is a shift and a mask.
    private static readonly uint[] Allowed = [Mask(Authorization), Mask(Transaction), 0];

    /// <summary>True if <paramref name="command"/> may run in <paramref name="state"/>.</summary>
    public static bool IsAllowed(Pop3SessionState state, Pop3Command command) =>
        (Allowed[(int)state] & (1u << (int)command)) != 0;

    /// <summary>The commands <paramref name="state"/> accepts, in the order a person would list them.</summary>
    public static ReadOnlySpan<Pop3Command> CommandsIn(Pop3SessionState state) => state switch
    {
        Pop3SessionState.Authorization => Authorization,
        Pop3SessionState.Transaction => Transaction,
        _ => [],
    };

    private static uint Mask(Pop3Command[] commands)
    {
        uint mask = 0;
        foreach (var command in commands)
        {
            mask |= 1u << (int)command;
        }

        return mask;
    }
}
