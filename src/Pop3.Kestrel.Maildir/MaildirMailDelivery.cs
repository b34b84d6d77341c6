using Microsoft.Extensions.Options;
using Pop3.Kestrel.Delivery;

namespace Pop3.Kestrel.Maildir;

/// <summary>
/// Delivery into each user's Maildir (<see cref="MaildirOptions.MaildirOf"/>) through <see cref="MaildirDelivery"/>:
/// written to tmp/, synced, renamed into new/, the folder synced, before it returns.
/// </summary>
internal sealed class MaildirMailDelivery(IOptions<MaildirOptions> options, TimeProvider time) : IPop3MailDelivery
{
    public async Task DeliverAsync(string mailbox, Stream message, CancellationToken cancellationToken)
    {
        var path = options.Value.MaildirOf(mailbox)
            ?? throw Pop3DeliveryException.MailboxUnavailable($"'{mailbox}' cannot name a Maildir");
        try
        {
            await MaildirDelivery.DeliverAsync(path, message, time, cancellationToken);
        }
        catch (IOException e)
        {
            throw Pop3DeliveryException.FromIOException(e);
        }
        catch (UnauthorizedAccessException e)
        {
            throw Pop3DeliveryException.Temporary(e.Message, e);
        }
    }
}
