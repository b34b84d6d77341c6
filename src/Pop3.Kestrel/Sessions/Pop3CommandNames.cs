using Pop3.Kestrel.Protocol;

namespace Pop3.Kestrel.Sessions;

/// <summary>
/// The names logs and metrics give verbs: a built-in verb's keyword (<c>RETR</c>), an added verb's keyword as it was
/// registered, and <see cref="Unknown"/> for anything else. Fixed strings made once, never text from the client, so
/// the number of metric series stays bounded by what the application registered.
/// </summary>
internal static class Pop3CommandNames
{
    /// <summary>The name of a line whose keyword is no registered verb.</summary>
    public const string Unknown = "unknown";

    private static readonly string[] BuiltIn = [.. Enum.GetValues<Pop3Command>().Select(c => c == Pop3Command.Unknown ? Unknown : c.ToString().ToUpperInvariant())];

    /// <summary>The name of built-in <paramref name="command"/>.</summary>
    public static string Of(Pop3Command command) => BuiltIn[(int)command];
}
