namespace Pop3.Kestrel.Sessions;

/// <summary>Adds text after the greeting (APOP's timestamp, RFC 1939 §7). A singleton, called once per session before the greeting.</summary>
internal interface IPop3GreetingSuffix
{
    /// <summary>The text to append after a space, or null for none.</summary>
    string? GetGreetingSuffix(Pop3SessionContext context);
}
