namespace Pop3.Kestrel.Authentication;

/// <summary>
/// The user name and password a client logged in with, for a backend that must log in elsewhere with the same
/// (the upstream gateway). Scoped, and only filled when a backend registered it: PASS, AUTH PLAIN and AUTH LOGIN set
/// it after the authenticator accepted the login, so a server that does not need it never keeps a password past the check.
/// </summary>
/// <remarks>
/// Logins that carry no reusable password (APOP, CRAM-MD5, SCRAM, bearer tokens) and PLAIN logins as another user
/// (a master user's password) leave it empty.
/// </remarks>
public sealed class Pop3LoginCredentials
{
    /// <summary>The name the client logged in with (USER, or the SASL authentication identity).</summary>
    public string? User { get; private set; }

    /// <summary>The password the client logged in with.</summary>
    public string? Password { get; private set; }

    /// <summary>Records a login that the authenticator accepted (the login paths only: read-only to backends).</summary>
    internal void Set(string user, string password)
    {
        User = user;
        Password = password;
    }
}
