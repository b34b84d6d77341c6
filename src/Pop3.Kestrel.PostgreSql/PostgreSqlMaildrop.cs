using System.Data;
using Microsoft.Extensions.Logging;
using Npgsql;
using Pop3.Kestrel.Maildrops;

namespace Pop3.Kestrel.PostgreSql;

/// <summary>
/// One session's mailbox in PostgreSQL. Every POP3 node may serve every mailbox: a lease row per open mailbox (see
/// <see cref="PostgreSqlLeases"/>) keeps it to one session at a time across nodes, and every command borrows a pooled
/// connection only for its own statement, so an idle session holds no connection.
/// </summary>
/// <remarks>
/// The listing reads only ids, UIDLs and sizes. A message is streamed from its row (sequential access: no buffer holds
/// it whole), holding a connection while it is sent. Deletions run in one transaction at UPDATE, by row id, so mail
/// delivered after the listing is untouched, and only while the session's fencing token still holds the lease: a
/// session whose lease expired and was taken by another deletes nothing.
/// </remarks>
internal sealed partial class PostgreSqlMaildrop(PostgreSqlMailStore store, ILogger<PostgreSqlMaildrop> logger) : IMaildrop
{
    private readonly Guid _session = Guid.NewGuid();
    private string? _mailbox;
    private long _token;
    private IReadOnlyList<MaildropMessage>? _snapshot;
    private RowStream? _reading;

    private NpgsqlDataSource DataSource => store.DataSource;

    /// <summary>
    /// Takes the mailbox's lease (never waits for it). Returns <see cref="MaildropOpenStatus.InUse"/> if another session,
    /// on any node, holds an unexpired lease, and <see cref="MaildropOpenStatus.Unavailable"/> if the database cannot be
    /// asked (unreachable, or no pooled connection free within the connection string's <c>Timeout</c>).
    /// </summary>
    public async ValueTask<MaildropOpenStatus> OpenAsync(string mailbox, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(mailbox);
        if (_mailbox is not null)
        {
            throw new InvalidOperationException("The maildrop is already open.");
        }

        long? token;
        try
        {
            token = await store.Leases.TryAcquireAsync(mailbox, _session, cancellationToken);
        }
        catch (Exception e) when (PostgreSqlRetry.IsDatabaseFailure(e))
        {
            LogUnavailable(logger, mailbox, e);
            return MaildropOpenStatus.Unavailable;
        }

        if (token is null)
        {
            LogInUse(logger, mailbox);
            return MaildropOpenStatus.InUse;
        }

        _mailbox = mailbox;
        _token = token.Value;
        return MaildropOpenStatus.Opened;
    }

    /// <summary>The mailbox's messages in delivery order, without their bodies; taken once per session.</summary>
    public async ValueTask<IReadOnlyList<MaildropMessage>> ListAsync(CancellationToken cancellationToken)
    {
        var mailbox = EnsureOpen();
        if (_snapshot is not null)
        {
            return _snapshot;
        }

        _snapshot = await PostgreSqlRetry.OnceAsync(DataSource, async () =>
        {
            var messages = new List<MaildropMessage>();
            await using var command = DataSource.CreateCommand("SELECT id, uidl, size FROM pop3_messages WHERE mailbox = @mailbox ORDER BY id");
            command.Parameters.AddWithValue("mailbox", mailbox);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                messages.Add(new MaildropMessage(reader.GetString(1), reader.GetInt64(2), reader.GetInt64(0)));
            }

            return messages;
        });
        return _snapshot;
    }

    /// <summary>
    /// Streams the message's body from its row over a pooled connection, returned when the stream is disposed. Throws
    /// <see cref="FileNotFoundException"/> if the row is gone and <see cref="IOException"/> if the database cannot be read.
    /// </summary>
    public async ValueTask<Stream> OpenMessageAsync(MaildropMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        var mailbox = EnsureOpen();
        var key = KeyOf(message);
        if (_reading is not null)
        {
            await _reading.DisposeAsync();
            _reading = null;
        }

        try
        {
            _reading = await PostgreSqlRetry.OnceAsync(DataSource, () => OpenRowAsync(mailbox, key, message.Id, cancellationToken));
            return _reading;
        }
        catch (Exception e) when (PostgreSqlRetry.IsDatabaseFailure(e) && e is not IOException)
        {
            // The session answers an unreadable message with -ERR and carries on.
            throw new IOException($"Message {message.Id} could not be read from PostgreSQL: {e.Message}", e);
        }
    }

    /// <summary>
    /// Deletes the rows of <paramref name="deleted"/> in one transaction, only if this session still holds the mailbox's
    /// lease (its fencing token is the lease's and it has not expired); rows already gone are skipped. Throws, deleting
    /// nothing, when the lease was lost or the database cannot be reached.
    /// </summary>
    public async ValueTask CommitDeletionsAsync(IReadOnlyList<MaildropMessage> deleted, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(deleted);
        var mailbox = EnsureOpen();
        if (deleted.Count == 0)
        {
            return;
        }

        if (_reading is not null)
        {
            await _reading.DisposeAsync();
            _reading = null;
        }

        var ids = deleted.Select(KeyOf).ToArray();

        // Deleting the same ids under the same fence twice is the same as once, so a dead pooled connection is retried.
        var removed = await PostgreSqlRetry.OnceAsync(DataSource, async () =>
        {
            await using var connection = await DataSource.OpenConnectionAsync(cancellationToken);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);

            // The lease row stays locked to the commit, so no other session can take the lease between fence and delete.
            await using (var fence = new NpgsqlCommand(
                "SELECT 1 FROM pop3_mailbox_leases WHERE mailbox = @mailbox AND token = @token AND expires_at > now() FOR UPDATE",
                connection, transaction))
            {
                fence.Parameters.AddWithValue("mailbox", mailbox);
                fence.Parameters.AddWithValue("token", _token);
                if (await fence.ExecuteScalarAsync(cancellationToken) is null)
                {
                    await transaction.RollbackAsync(cancellationToken);
                    return -1;
                }
            }

            await using var command = new NpgsqlCommand("DELETE FROM pop3_messages WHERE mailbox = @mailbox AND id = ANY(@ids)", connection, transaction);
            command.Parameters.AddWithValue("mailbox", mailbox);
            command.Parameters.AddWithValue("ids", ids);
            var count = await command.ExecuteNonQueryAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return count;
        });

        if (removed < 0)
        {
            LogFenced(logger, mailbox, _token, ids.Length);
            throw new InvalidOperationException($"The lease of mailbox {mailbox} (token {_token}) was lost; nothing was deleted.");
        }

        LogCommitted(logger, removed, ids.Length);
    }

    /// <summary>
    /// Releases the lease. If the database cannot be reached the lease is left to expire; it fences this session's
    /// token out either way, so nothing is lost by leaving it.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        var mailbox = _mailbox;
        _mailbox = null;
        _snapshot = null;
        if (_reading is not null)
        {
            await _reading.DisposeAsync();
            _reading = null;
        }

        if (mailbox is null)
        {
            return;
        }

        try
        {
            using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await store.Leases.ReleaseAsync(mailbox, _token, limit.Token);
        }
        catch (Exception e) when (PostgreSqlRetry.IsDatabaseFailure(e) || e is OperationCanceledException)
        {
            LogReleaseFailed(logger, mailbox, e);
        }
    }

    private async Task<RowStream> OpenRowAsync(string mailbox, long key, string id, CancellationToken cancellationToken)
    {
        var connection = await DataSource.OpenConnectionAsync(cancellationToken);
        NpgsqlCommand? command = null;
        NpgsqlDataReader? reader = null;
        try
        {
            command = new NpgsqlCommand("SELECT body FROM pop3_messages WHERE mailbox = @mailbox AND id = @id", connection);
            command.Parameters.AddWithValue("mailbox", mailbox);
            command.Parameters.AddWithValue("id", key);
            reader = await command.ExecuteReaderAsync(CommandBehavior.SequentialAccess | CommandBehavior.SingleRow, cancellationToken);
            if (!await reader.ReadAsync(cancellationToken))
            {
                throw new FileNotFoundException($"Message {id} is no longer in the mailbox.");
            }

            return new RowStream(reader.GetStream(0), reader, command, connection);
        }
        catch
        {
            if (reader is not null)
            {
                await reader.DisposeAsync();
            }

            if (command is not null)
            {
                await command.DisposeAsync();
            }

            await connection.DisposeAsync();
            throw;
        }
    }

    private string EnsureOpen() => _mailbox ?? throw new InvalidOperationException("The maildrop is not open.");

    private static long KeyOf(MaildropMessage message) =>
        message.Key as long? ?? throw new ArgumentException("The message was not listed by a PostgreSQL maildrop.", nameof(message));

    [LoggerMessage(Level = LogLevel.Information, Message = "Mailbox {Mailbox} is leased by another session")]
    private static partial void LogInUse(ILogger logger, string mailbox);

    [LoggerMessage(Level = LogLevel.Error, Message = "PostgreSQL unavailable opening mailbox {Mailbox}")]
    private static partial void LogUnavailable(ILogger logger, string mailbox, Exception exception);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Deleted {Removed} of {Requested} message(s)")]
    private static partial void LogCommitted(ILogger logger, int removed, int requested);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Mailbox {Mailbox}: lease token {Token} no longer holds the lease; {Requested} deletion(s) refused")]
    private static partial void LogFenced(ILogger logger, string mailbox, long token, int requested);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not release the lease of mailbox {Mailbox}; it expires on its own")]
    private static partial void LogReleaseFailed(ILogger logger, string mailbox, Exception exception);

    /// <summary>A column stream that also disposes its reader, command and connection, returning the connection to the pool.</summary>
    private sealed class RowStream(Stream column, NpgsqlDataReader reader, NpgsqlCommand command, NpgsqlConnection connection) : Stream
    {
        private bool _disposed;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        // A connection lost mid-message is an I/O error to the session, which then closes (the status line is out).
        public override int Read(byte[] buffer, int offset, int count)
        {
            try
            {
                return column.Read(buffer, offset, count);
            }
            catch (NpgsqlException e)
            {
                throw new IOException(e.Message, e);
            }
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            try
            {
                return await column.ReadAsync(buffer, cancellationToken);
            }
            catch (NpgsqlException e)
            {
                throw new IOException(e.Message, e);
            }
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override async ValueTask DisposeAsync()
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            await column.DisposeAsync();
            await reader.DisposeAsync();
            await command.DisposeAsync();
            await connection.DisposeAsync();
            await base.DisposeAsync();
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing && !_disposed)
            {
                _disposed = true;
                column.Dispose();
                reader.Dispose();
                command.Dispose();
                connection.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
