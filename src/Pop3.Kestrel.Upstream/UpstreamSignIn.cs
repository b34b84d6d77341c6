using MailKit;
using Microsoft.Extensions.Logging;
using Pop3.Kestrel.Authentication;
using Pop3.Kestrel.Maildrops;

namespace Pop3.Kestrel.Upstream;

/// <summary>The upstream login shared by the POP3 and IMAP maildrops: who logs in, and with what.</summary>
internal static partial class UpstreamSignIn
{
    /// <summary>What the client reads when the upstream refused the client's own password.</summary>
    public const string RefusedMessage = "The upstream server refused the login";

    /// <summary>The login for <paramref name="mailbox"/>: the upstream name mapped by <c>Pop3:Upstream:User</c>, and the client's password if one was kept.</summary>
    public static UpstreamLogin LoginFor(UpstreamOptions settings, string mailbox, Pop3LoginCredentials? credentials) =>
        new(mailbox,
            string.IsNullOrEmpty(settings.User) ? mailbox : settings.User.Replace(UpstreamOptions.UserPlaceholder, mailbox, StringComparison.Ordinal),
            credentials?.Password);

    /// <summary>Authenticates <paramref name="client"/> with a password or SASL credential.</summary>
    public static Task AuthenticateAsync(IMailService client, UpstreamLogin login, UpstreamCredential credential, CancellationToken cancellationToken) =>
        credential.Kind switch
        {
            UpstreamCredentialKind.Password => client.AuthenticateAsync(login.UpstreamUser, credential.Password!, cancellationToken),
            UpstreamCredentialKind.Sasl => client.AuthenticateAsync(credential.Mechanism!, cancellationToken),
            _ => throw new ArgumentException($"A {credential.Kind} credential cannot log in.", nameof(credential)),
        };

    /// <summary>
    /// True when an upstream refusal is the client's to hear as <c>[AUTH]</c>: the password refused was the client's own.
    /// A configured password or a token refused is the operator's problem, and the client hears <c>[SYS/TEMP]</c>.
    /// </summary>
    public static bool IsClientsOwnPassword(UpstreamLogin login, UpstreamCredential credential) =>
        credential.Kind == UpstreamCredentialKind.Password && login.ClientPassword is not null
        && string.Equals(credential.Password, login.ClientPassword, StringComparison.Ordinal);

    /// <summary>
    /// Asks <paramref name="source"/> what to present upstream for <paramref name="login"/>. Without a credential to log
    /// in with, the status the client hears and the source's own text: a source that throws is
    /// <see cref="MaildropOpenStatus.Unavailable"/>, a refusal keeps its kind.
    /// </summary>
    public static async ValueTask<(UpstreamCredential? Credential, MaildropOpenStatus Status, string? Text)> GetCredentialAsync(
        IUpstreamCredentialSource source, UpstreamLogin login, ILogger logger, CancellationToken cancellationToken)
    {
        UpstreamCredential credential;
        try
        {
            credential = await source.GetCredentialAsync(login, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogCredentialFailed(logger, login.LocalUser, e);
            return (null, MaildropOpenStatus.Unavailable, null);
        }

        if (credential.Kind is UpstreamCredentialKind.Refused or UpstreamCredentialKind.Unavailable)
        {
            LogNoCredential(logger, login.LocalUser, credential.Kind, credential.Message);
            var status = credential.Kind == UpstreamCredentialKind.Refused ? MaildropOpenStatus.Refused : MaildropOpenStatus.Unavailable;
            return (null, status, credential.Message);
        }

        return (credential, MaildropOpenStatus.Opened, null);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "No upstream credential for {Mailbox} ({Kind}): {Reason}")]
    private static partial void LogNoCredential(ILogger logger, string mailbox, UpstreamCredentialKind kind, string? reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "The upstream credential source failed for {Mailbox}")]
    private static partial void LogCredentialFailed(ILogger logger, string mailbox, Exception exception);
}
