namespace Pop3.Kestrel.Authentication;

/// <summary>Checks a user name and password (USER/PASS, and SASL PLAIN and LOGIN).</summary>
public interface IPop3Authenticator
{
    /// <summary>
    /// Checks <paramref name="password"/> for <paramref name="user"/>. The answer for an unknown user must
    /// look exactly like the answer for a wrong password.
    /// </summary>
    ValueTask<Pop3AuthenticationResult> AuthenticateAsync(string user, string password, Pop3ConnectionInfo connection, CancellationToken cancellationToken);
}
