using Npgsql;
using Pop3.Kestrel.Delivery;

namespace Pop3.Kestrel.PostgreSql;

/// <summary>
/// Delivery into the PostgreSQL store (<see cref="PostgreSqlMailStore.DeliverAsync"/>): one INSERT, committed before it
/// returns. Never migrates: that is the server's start-up or the <c>migrate</c> operation.
/// </summary>
internal sealed class PostgreSqlMailDelivery(PostgreSqlMailStore store) : IPop3MailDelivery
{
    public async Task DeliverAsync(string mailbox, Stream message, CancellationToken cancellationToken)
    {
        try
        {
            await store.DeliverAsync(mailbox, message, null, cancellationToken);
        }
        catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.DiskFull or PostgresErrorCodes.ProgramLimitExceeded)
        {
            throw Pop3DeliveryException.InsufficientStorage(e.MessageText, e);
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or IOException)
        {
            throw Pop3DeliveryException.Temporary(e.Message, e);
        }
    }
}
