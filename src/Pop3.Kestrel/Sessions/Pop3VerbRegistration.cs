namespace Pop3.Kestrel.Sessions;

/// <summary>A verb added with <c>AddCommand&lt;T&gt;()</c>: its keyword, the states it may run in, its CAPA tag and its handler.</summary>
internal sealed record Pop3VerbRegistration(string Verb, Pop3CommandStates States, string? Capability, IPop3CommandHandler Handler);
