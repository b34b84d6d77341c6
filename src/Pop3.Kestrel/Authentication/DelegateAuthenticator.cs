namespace Pop3.Kestrel.Authentication;

/// <summary>An <see cref="IPop3Authenticator"/> that calls a function, for small applications and tests.</summary>
internal sealed class DelegateAuthenticator(Func<string, string, Pop3ConnectionInfo, CancellationToken, ValueTask<Pop3AuthenticationResult>> authenticate) : IPop3Authenticator
{
    public ValueTask<Pop3AuthenticationResult> AuthenticateAsync(string user, string password, Pop3ConnectionInfo connection, CancellationToken cancellationToken) =>
        authenticate(user, password, connection, cancellationToken);
}
