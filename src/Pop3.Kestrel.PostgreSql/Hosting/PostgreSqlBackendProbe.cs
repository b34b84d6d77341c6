using Pop3.Kestrel.Diagnostics;
using Pop3.Kestrel.Maildrops;
using Pop3.Kestrel.PostgreSql;

namespace Pop3.Kestrel.Hosting;

/// <summary>For <c>/readyz</c>: the database answers with a schema this build supports. Says nothing when another maildrop is in use.</summary>
internal sealed class PostgreSqlBackendProbe(IMaildrop maildrop, PostgreSqlMailStore store) : IPop3BackendProbe
{
    public async ValueTask<string?> ProbeAsync(CancellationToken cancellationToken)
    {
        if (maildrop is not PostgreSqlMaildrop)
        {
            return null;
        }

        var (ready, reason) = await store.CheckReadyAsync(cancellationToken);
        return ready ? null : $"PostgreSQL ({PostgreSqlStoreOptions.ConnectionStringKey}): {reason}";
    }
}
