namespace Pop3.Kestrel.Protocol.Tests;

public sealed class Pop3StateTableTests
{
    // RFC 1939 §4-§6, RFC 2449 §5 (CAPA in both), RFC 2595 §4 (STLS), RFC 5034 (AUTH), RFC 6856 (UTF8).
    private static readonly Dictionary<Pop3SessionState, Pop3Command[]> Rfc = new()
    {
        [Pop3SessionState.Authorization] =
        [
            Pop3Command.User, Pop3Command.Pass, Pop3Command.Apop, Pop3Command.Quit,
            Pop3Command.Capa, Pop3Command.Stls, Pop3Command.Auth, Pop3Command.Utf8,
        ],
        [Pop3SessionState.Transaction] =
        [
            Pop3Command.Stat, Pop3Command.List, Pop3Command.Retr, Pop3Command.Dele, Pop3Command.Noop,
            Pop3Command.Rset, Pop3Command.Top, Pop3Command.Uidl, Pop3Command.Quit, Pop3Command.Capa,
        ],
        [Pop3SessionState.Update] = [],
    };

    public static TheoryData<Pop3SessionState, Pop3Command> AllPairs()
    {
        var data = new TheoryData<Pop3SessionState, Pop3Command>();
        foreach (var state in Enum.GetValues<Pop3SessionState>())
        {
            foreach (var command in Enum.GetValues<Pop3Command>())
            {
                data.Add(state, command);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(AllPairs))]
    public void Each_command_is_allowed_exactly_in_its_RFC_states(Pop3SessionState state, Pop3Command command)
    {
        Assert.Equal(Rfc[state].Contains(command), Pop3StateTable.IsAllowed(state, command));
    }

    [Fact]
    public void Nothing_is_allowed_in_UPDATE()
    {
        Assert.All(Enum.GetValues<Pop3Command>(), c => Assert.False(Pop3StateTable.IsAllowed(Pop3SessionState.Update, c)));
        Assert.True(Pop3StateTable.CommandsIn(Pop3SessionState.Update).IsEmpty);
    }

    [Fact]
    public void Unknown_is_never_allowed()
    {
        Assert.All(Enum.GetValues<Pop3SessionState>(), s => Assert.False(Pop3StateTable.IsAllowed(s, Pop3Command.Unknown)));
    }

    [Theory]
    [InlineData(Pop3SessionState.Authorization)]
    [InlineData(Pop3SessionState.Transaction)]
    [InlineData(Pop3SessionState.Update)]
    public void CommandsIn_lists_exactly_the_allowed_commands_once(Pop3SessionState state)
    {
        var listed = Pop3StateTable.CommandsIn(state).ToArray();
        Assert.Equal(listed.Length, listed.Distinct().Count());
        Assert.Equal(Rfc[state].Order(), listed.Order());
    }

    [Fact]
    public void The_not_allowed_replies_name_the_commands_the_table_allows()
    {
        static string Names(Pop3SessionState s) => string.Join(' ', Pop3StateTable.CommandsIn(s).ToArray().Select(c => c.ToString().ToUpperInvariant()));
        Assert.Equal("-ERR Not allowed before login; allowed now: " + Names(Pop3SessionState.Authorization) + "\r\n", System.Text.Encoding.ASCII.GetString(Pop3Replies.NotAllowedBeforeLogin));
        Assert.Equal("-ERR Not allowed after login; allowed now: " + Names(Pop3SessionState.Transaction) + "\r\n", System.Text.Encoding.ASCII.GetString(Pop3Replies.NotAllowedAfterLogin));
    }
}
