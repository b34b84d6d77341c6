using System.Text;
using Microsoft.Extensions.Options;
using Pop3.Kestrel.Authentication;
using Pop3.Kestrel.Hosting;
using Pop3.Kestrel.Maildrops;
using Pop3.Kestrel.Protocol;

namespace Pop3.Kestrel.Sessions;

/// <summary>
/// Turns a proven login into an open session, the same way for every login path (USER/PASS, APOP, AUTH):
/// LOGIN-DELAY and the per user+address limit, the maildrop opened and listed, the reply. Scoped, because the
/// maildrop is. This is also the one place a completed login hands its password on, to the scoped
/// <see cref="Pop3LoginCredentials"/> a pass-through backend registers.
/// </summary>
internal sealed class Pop3LoginCompletion(
    IMaildrop backend,
    Pop3MessageSizeCache sizes,
    IOptions<Pop3ServerOptions> options,
    IPop3UserPolicy? policy = null,
    Pop3LoginGuard? guard = null,
    Diagnostics.Pop3Metrics? metrics = null,
    Pop3LoginCredentials? credentials = null)
{
    public async ValueTask<Pop3CommandResult> CompleteAsync(Pop3SessionContext context, Pop3Login login, CancellationToken cancellationToken)
    {
        var settings = policy is null ? default : await policy.GetSettingsAsync(login.User, cancellationToken);

        // LOGIN-DELAY (RFC 2449 §6.5) and the per user+address limit are enforced here, on every login path,
        // keyed by the mailbox: the authenticator's canonical name, whatever spelling the client used.
        var delay = settings.LoginDelaySeconds ?? options.Value.LoginDelay;
        if (guard is not null && !await guard.BeforeOpenAsync(context, login.Mailbox, delay, cancellationToken))
        {
            return Pop3CommandResult.Failed;
        }

        // Recorded before the backend opens: a pass-through backend logs in upstream with these in OpenAsync.
        if (login.Password is { } password)
        {
            credentials?.Set(login.User, password);
        }

        var status = await backend.OpenAsync(login.Mailbox, cancellationToken);
        if (status != MaildropOpenStatus.Opened)
        {
            guard?.OpenFailed(context);
            if (status == MaildropOpenStatus.InUse)
            {
                metrics?.LockConflict();
            }

            WriteOpenFailure(context, status, backend.OpenFailureText);
            return Pop3CommandResult.Failed;
        }

        var maildrop = await Pop3Maildrop.LoadAsync(backend, login.Mailbox, sizes, cancellationToken);
        if (guard is not null)
        {
            await guard.LoggedInAsync(context, login.User, login.Mailbox, cancellationToken);
        }

        context.LoggedIn(login.User, maildrop, settings);
        Pop3Replies.WriteLoggedIn(context.Output, maildrop.Count, maildrop.Size);
        return Pop3CommandResult.LoggedIn;
    }

    /// <summary>The reply to a maildrop that did not open: its response code, and the backend's own text when it gave one.</summary>
    private static void WriteOpenFailure(Pop3SessionContext context, MaildropOpenStatus status, string? text)
    {
        if (status == MaildropOpenStatus.InUse || (status == MaildropOpenStatus.Unavailable && string.IsNullOrWhiteSpace(text)))
        {
            context.Write(status == MaildropOpenStatus.InUse ? Pop3Replies.MaildropInUse : Pop3Replies.MaildropUnavailable);
            return;
        }

        // The text comes from a backend (possibly from an upstream server): one printable ASCII line, never a CRLF of its own.
        var line = new StringBuilder(status == MaildropOpenStatus.Refused ? "-ERR [AUTH] " : "-ERR [SYS/TEMP] ");
        foreach (var c in string.IsNullOrWhiteSpace(text) ? "Authentication failed" : text.Trim())
        {
            if (line.Length >= 200)
            {
                break;
            }

            line.Append(c is >= ' ' and <= '~' ? c : ' ');
        }

        context.WriteAscii(line.ToString());
    }
}
