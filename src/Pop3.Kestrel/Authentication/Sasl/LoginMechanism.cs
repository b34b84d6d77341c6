using Microsoft.Extensions.DependencyInjection;
using Pop3.Kestrel.Sessions;

namespace Pop3.Kestrel.Authentication.Sasl;

/// <summary>
/// LOGIN (draft-murchison-sasl-login): the server asks <c>Username:</c> then <c>Password:</c>; an initial response is
/// taken as the user name. The password is checked by <see cref="IPop3Authenticator"/>.
/// </summary>
internal sealed class LoginMechanism(IPop3Authenticator authenticator) : IPop3SaslMechanism
{
    private static readonly byte[] UsernamePrompt = "Username:"u8.ToArray();
    private static readonly byte[] PasswordPrompt = "Password:"u8.ToArray();

    public string Name => "LOGIN";

    public bool SendsPlaintext => true;

    public bool IsAvailable => true;

    public IPop3SaslExchange Start(Pop3SessionContext context) => new Exchange(authenticator, context);

    private sealed class Exchange(IPop3Authenticator authenticator, Pop3SessionContext context) : IPop3SaslExchange
    {
        private string? _user;

        public async ValueTask<Pop3SaslStep> StepAsync(ReadOnlyMemory<byte>? response, CancellationToken cancellationToken)
        {
            if (response is not { } message)
            {
                return Pop3SaslStep.Challenge(UsernamePrompt);
            }

            if (_user is null)
            {
                if (!Pop3SaslText.TryDecodeField(message.Span, out var user))
                {
                    return Pop3SaslStep.Malformed;
                }

                _user = user;
                return Pop3SaslStep.Challenge(PasswordPrompt);
            }

            if (!Pop3SaslText.TryDecodeField(message.Span, out var password))
            {
                return Pop3SaslStep.Malformed;
            }

            if (!await context.MayCheckCredentialsAsync(_user, cancellationToken))
            {
                return Pop3SaslStep.Failure(_user);
            }

            var result = await authenticator.AuthenticateAsync(_user, password, context.Connection, cancellationToken);
            switch (result.Status)
            {
                case Pop3AuthenticationStatus.Succeeded:
                    // Kept for a backend that logs in elsewhere with it (only when one registered the holder), as PASS does.
                    context.Services.GetService<Pop3LoginCredentials>()?.Set(_user, password);
                    return Pop3SaslStep.Success(_user, result.Mailbox ?? _user);
                case Pop3AuthenticationStatus.TemporaryFailure:
                    return Pop3SaslStep.TemporaryFailure;
                default:
                    return Pop3SaslStep.Failure(_user);
            }
        }
    }
}
