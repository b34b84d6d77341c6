namespace Pop3.Kestrel.Authentication;

/// <summary>
/// Lets some users log in as others (Dovecot's master users): with AUTH PLAIN, the authentication identity's
/// password is checked, then this policy decides whether it may open the authorization identity's mailbox. Without
/// a registered policy an authorization identity other than the authentication identity always fails.
/// </summary>
public interface IPop3MasterUserPolicy
{
    /// <summary>True if <paramref name="authenticatedUser"/>, whose password was right, may log in as <paramref name="authorizationIdentity"/>.</summary>
    ValueTask<bool> MayLogInAsAsync(string authenticatedUser, string authorizationIdentity, Pop3ConnectionInfo connection, CancellationToken cancellationToken);
}
