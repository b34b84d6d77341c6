using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Pop3.Kestrel.Sessions;

namespace Pop3.Kestrel.Authentication.Sasl;

/// <summary>
/// EXTERNAL (RFC 4422 Appendix A) over TLS: the identity is the client certificate the handshake validated;
/// the client may send an authorization identity, which must then be that same user.
/// </summary>
internal sealed class ExternalMechanism(IServiceProvider services) : IPop3SaslMechanism
{
    // Resolved on first use: the options' validator lists the registered mechanisms, so asking for the
    // options while being constructed would be a cycle.
    private Pop3AuthenticationOptions Options => services.GetRequiredService<IOptions<Pop3AuthenticationOptions>>().Value;

    public string Name => "EXTERNAL";

    public bool SendsPlaintext => false;

    public bool IsAvailable => Options.External;

    public IPop3SaslExchange Start(Pop3SessionContext context) => new Exchange(context.Connection, Options.ExternalUserFrom);

    internal static string? UserOf(X509Certificate2 certificate, Pop3CertificateUserField field) => field switch
    {
        Pop3CertificateUserField.Email => certificate.GetNameInfo(X509NameType.EmailName, forIssuer: false) is { Length: > 0 } email ? email : null,
        _ => certificate.GetNameInfo(X509NameType.SimpleName, forIssuer: false) is { Length: > 0 } name ? name : null,
    };

    private sealed class Exchange(Pop3ConnectionInfo connection, Pop3CertificateUserField field) : IPop3SaslExchange
    {
        public ValueTask<Pop3SaslStep> StepAsync(ReadOnlyMemory<byte>? response, CancellationToken cancellationToken)
        {
            if (response is not { } message)
            {
                // No initial response: ask for the (possibly empty) authorization identity.
                return ValueTask.FromResult(Pop3SaslStep.Challenge(ReadOnlyMemory<byte>.Empty));
            }

            if (!connection.IsSecure || connection.ClientCertificate is not { } certificate || UserOf(certificate, field) is not { } user)
            {
                return ValueTask.FromResult(Pop3SaslStep.Failure());
            }

            if (!message.IsEmpty && (!Pop3SaslText.TryDecodeField(message.Span, out var authorization) || authorization != user))
            {
                return ValueTask.FromResult(Pop3SaslStep.Failure(user));
            }

            return ValueTask.FromResult(Pop3SaslStep.Success(user, user));
        }
    }
}
