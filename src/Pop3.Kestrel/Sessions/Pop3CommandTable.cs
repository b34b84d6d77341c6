using System.Text;
using Pop3.Kestrel.Protocol;

namespace Pop3.Kestrel.Sessions;

/// <summary>
/// Which handler runs each verb, and in which states. Built-in verbs are found by their enum value (the parser
/// matched the keyword as an integer); verbs added with <c>AddCommand&lt;T&gt;()</c> by a short scan of their
/// keywords, compared without allocating. Built once from DI; the last registration of a verb wins.
/// </summary>
internal sealed class Pop3CommandTable
{
    private readonly Pop3CommandEntry?[] _builtIn = new Pop3CommandEntry?[Enum.GetValues<Pop3Command>().Length];
    private readonly Pop3CommandEntry[] _added;

    public Pop3CommandTable(IEnumerable<IPop3CommandHandler> handlers, IEnumerable<Pop3VerbRegistration> verbs)
    {
        foreach (var handler in handlers)
        {
            if (handler.Command != Pop3Command.Unknown)
            {
                _builtIn[(int)handler.Command] = new Pop3CommandEntry(handler, BuiltInStates(handler.Command), Pop3CommandNames.Of(handler.Command), Verb: null, Capability: null);
            }
        }

        var added = new Dictionary<string, Pop3CommandEntry>(StringComparer.OrdinalIgnoreCase);
        foreach (var verb in verbs)
        {
            added[verb.Verb] = new Pop3CommandEntry(verb.Handler, verb.States, verb.Verb.ToUpperInvariant(), Encoding.ASCII.GetBytes(verb.Verb), verb.Capability);
        }

        _added = [.. added.Values];
    }

    /// <summary>The handler of <paramref name="command"/>, or null if none is registered.</summary>
    public IPop3CommandHandler? this[Pop3Command command] => _builtIn[(int)command]?.Handler;

    /// <summary>The entry for a parsed line: by enum for a built-in verb, else by the line's keyword; null for an unknown verb.</summary>
    public Pop3CommandEntry? Find(Pop3Command command, ReadOnlySpan<byte> line)
    {
        if (command != Pop3Command.Unknown)
        {
            return _builtIn[(int)command];
        }

        if (_added.Length == 0)
        {
            return null;
        }

        var space = line.IndexOf((byte)' ');
        var keyword = space < 0 ? line : line[..space];
        foreach (var entry in _added)
        {
            if (Ascii.EqualsIgnoreCase(keyword, entry.Verb))
            {
                return entry;
            }
        }

        return null;
    }

    private static Pop3CommandStates BuiltInStates(Pop3Command command) =>
        (Pop3StateTable.IsAllowed(Pop3SessionState.Authorization, command) ? Pop3CommandStates.Authorization : 0)
        | (Pop3StateTable.IsAllowed(Pop3SessionState.Transaction, command) ? Pop3CommandStates.Transaction : 0);
}
