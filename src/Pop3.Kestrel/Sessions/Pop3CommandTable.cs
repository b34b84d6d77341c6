using Pop3.Kestrel.Protocol;

namespace Pop3.Kestrel.Sessions;

/// <summary>The handler of each verb, looked up by array index. Built once from DI; the last registration of a verb wins.</summary>
public sealed class Pop3CommandTable
{
    private readonly IPop3CommandHandler?[] _handlers = new IPop3CommandHandler?[Enum.GetValues<Pop3Command>().Length];

    /// <summary>Builds the table from every registered handler.</summary>
    public Pop3CommandTable(IEnumerable<IPop3CommandHandler> handlers)
    {
        foreach (var handler in handlers)
        {
            _handlers[(int)handler.Command] = handler;
        }
    }

    /// <summary>The handler of <paramref name="command"/>, or null if none is registered.</summary>
    public IPop3CommandHandler? this[Pop3Command command] => _handlers[(int)command];
}
