using Pop3.Kestrel.Protocol;

namespace Pop3.Kestrel.Sessions;

/// <summary>
/// State is data (RFC 1939 §3): which command result moves a session from which state to which. Nothing else changes
/// the state; the session applies this table after every command.
/// </summary>
internal static class Pop3Transitions
{
    private static readonly (Pop3SessionState From, Pop3CommandResult Result, Pop3SessionState To)[] Table =
    [
        (Pop3SessionState.Authorization, Pop3CommandResult.LoggedIn, Pop3SessionState.Transaction),
        (Pop3SessionState.Transaction, Pop3CommandResult.Quit, Pop3SessionState.Update),
    ];

    /// <summary>The state after a command in <paramref name="state"/> returned <paramref name="result"/>.</summary>
    public static Pop3SessionState Next(Pop3SessionState state, Pop3CommandResult result)
    {
        foreach (var (from, on, to) in Table)
        {
            if (from == state && on == result)
            {
                return to;
            }
        }

        return state;
    }
}
