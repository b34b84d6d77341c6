namespace Pop3.Kestrel.Sessions;

/// <summary>A login the credentials proved: who logged in, which mailbox to open, and the password if the client sent one in the clear.</summary>
/// <param name="User">The name the client logged in as.</param>
/// <param name="Mailbox">The authenticator's canonical mailbox name: what is opened, and what LOGIN-DELAY is counted by.</param>
/// <param name="Password">The password of PASS, SASL PLAIN or LOGIN; null for logins that carry none (APOP, CRAM-MD5, SCRAM, tokens).</param>
internal readonly record struct Pop3Login(string User, string Mailbox, string? Password);
