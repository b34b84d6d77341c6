using System.Data;
using Microsoft.Extensions.Logging;
using Npgsql;
using Pop3.Kestrel.Maildrops;

namespace Pop3.Kestrel.PostgreSql;

/// <summary>
/// One session's mailbox in PostgreSQL. Every POP3 node may serve every mailbox: the lock is a session-level advisory
/// lock on a connection this instance holds from open to dispose, so two nodes never serve one mailbox at once, and the
/// lock of a node that crashed goes away with its connection.
/// </summary>
/// <remarks>
/// The listing reads only ids, UIDLs and sizes. A message is streamed from its row (sequential access: no buffer holds
/// it whole). Deletions run in one transaction at UPDATE, by row id, so mail delivered after the listing is untouched.
/// </remarks>
public sealed partial class PostgreSqlMaildrop(PostgreSqlMailStore store, ILogger<PostgreSqlMaildrop> logger) : IMaildrop
{
    // Advisory lock keys are one bigint: the mailbox name hashed by the server, seeded so other users of
    // hashtextextended on this database do not collide with us by accident.
    private const long LockSeed = 0x504F50334D424F58; // "POP3MBOX"

    private NpgsqlConnection? _connection;
    private string? _mailbox;
    private IReadOnlyList<MaildropMessage>? _snapshot;
    private RowStream? _reading;

    /// <summary>
    /// Takes the mailbox's advisory lock with <c>pg_try_advisory_lock</c> (never waits). Returns
    /// <see cref="MaildropOpenStatus.InUse"/> if another session, on any node, holds it, and
    /// <see cref="MaildropOpenStatus.Unavailable"/> if the database cannot be reached.
    /// </summary>
    public async ValueTask<MaildropOpenStatus> OpenAsync(string mailbox, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(mailbox);
        if (_connection is not null)
        {
            throw new InvalidOperationException("The maildrop is already open.");
        }

        NpgsqlConnection? connection = null;
        try
        {
            connection = await store.DataSource.OpenConnectionAsync(cancellationToken);
            await using var command = new NpgsqlCommand("SELECT pg_try_advisory_lock(hashtextextended(@mailbox, @seed))", connection);
            command.Parameters.AddWithValue("mailbox", mailbox);
            command.Parameters.AddWithValue("seed", LockSeed);
            if (!(bool)(await command.ExecuteScalarAsync(cancellationToken))!)
            {
                LogInUse(logger, mailbox);
                await connection.DisposeAsync();
                return MaildropOpenStatus.InUse;
            }
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException)
        {
            LogUnavailable(logger, mailbox, e);
            if (connection is not null)
            {
                await connection.DisposeAsync();
            }

            return MaildropOpenStatus.Unavailable;
        }

        _connection = connection;
        _mailbox = mailbox;
        return MaildropOpenStatus.Opened;
    }

    /// <summary>The mailbox's messages in delivery order, without their bodies; taken once per session.</summary>
    public async ValueTask<IReadOnlyList<MaildropMessage>> ListAsync(CancellationToken cancellationToken)
    {
        var connection = EnsureOpen();
        if (_snapshot is not null)
        {
            return _snapshot;
        }

        var messages = new List<MaildropMessage>();
        await using (var command = new NpgsqlCommand("SELECT id, uidl, size FROM pop3_messages WHERE mailbox = @mailbox ORDER BY id", connection))
        {
            command.Parameters.AddWithValue("mailbox", _mailbox!);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                messages.Add(new MaildropMessage(reader.GetString(1), reader.GetInt64(2), reader.GetInt64(0)));
            }
        }

        _snapshot = messages;
        return messages;
    }

    /// <summary>
    /// Streams the message's body from its row over the session's connection. Dispose the stream before the next
    /// command on this maildrop (the framework does). Throws <see cref="FileNotFoundException"/> if the row is gone.
    /// </summary>
    public async ValueTask<Stream> OpenMessageAsync(MaildropMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        var connection = EnsureOpen();
        if (_reading is not null)
        {
            // The previous message's stream must end before the connection can run another command.
            await _reading.DisposeAsync();
            _reading = null;
        }

        var command = new NpgsqlCommand("SELECT body FROM pop3_messages WHERE id = @id AND mailbox = @mailbox", connection);
        command.Parameters.AddWithValue("id", KeyOf(message));
        command.Parameters.AddWithValue("mailbox", _mailbox!);
        NpgsqlDataReader? reader = null;
        try
        {
            reader = await command.ExecuteReaderAsync(CommandBehavior.SequentialAccess | CommandBehavior.SingleRow, cancellationToken);
            if (!await reader.ReadAsync(cancellationToken))
            {
                throw new FileNotFoundException($"Message {message.Id} is no longer in the mailbox.");
            }

            if (_reading is not null)
            {
                await _reading.DisposeAsync();
            }

            _reading = new RowStream(reader.GetStream(0), reader, command);
            return _reading;
        }
        catch
        {
            if (reader is not null)
            {
                await reader.DisposeAsync();
            }

            await command.DisposeAsync();
            throw;
        }
    }

    /// <summary>Deletes the rows of <paramref name="deleted"/> in one transaction; rows already gone are skipped.</summary>
    public async ValueTask CommitDeletionsAsync(IReadOnlyList<MaildropMessage> deleted, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(deleted);
        var connection = EnsureOpen();
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
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using var command = new NpgsqlCommand("DELETE FROM pop3_messages WHERE mailbox = @mailbox AND id = ANY(@ids)", connection, transaction);
        command.Parameters.AddWithValue("mailbox", _mailbox!);
        command.Parameters.AddWithValue("ids", ids);
        var removed = await command.ExecuteNonQueryAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        LogCommitted(logger, removed, ids.Length);
    }

    /// <summary>
    /// Releases the lock and returns the connection to the pool. The lock is released explicitly, because a pooled
    /// connection is only reset when it is next used; if that fails the connection is broken, and the lock went with it.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        var connection = _connection;
        _connection = null;
        _snapshot = null;
        if (connection is null)
        {
            return;
        }

        try
        {
            if (_reading is not null)
            {
                await _reading.DisposeAsync();
                _reading = null;
            }

            await using var command = new NpgsqlCommand("SELECT pg_advisory_unlock_all()", connection);
            await command.ExecuteNonQueryAsync();
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException or TimeoutException)
        {
            LogUnlockFailed(logger, _mailbox ?? "", e);
            NpgsqlConnection.ClearPool(connection);
        }
        finally
        {
            await connection.DisposeAsync();
        }
    }

    private NpgsqlConnection EnsureOpen() => _connection ?? throw new InvalidOperationException("The maildrop is not open.");

    private static long KeyOf(MaildropMessage message) =>
        message.Key as long? ?? throw new ArgumentException("The message was not listed by a PostgreSQL maildrop.", nameof(message));

    [LoggerMessage(Level = LogLevel.Information, Message = "Mailbox {Mailbox} is locked by another session")]
    private static partial void LogInUse(ILogger logger, string mailbox);

    [LoggerMessage(Level = LogLevel.Error, Message = "PostgreSQL unavailable opening mailbox {Mailbox}")]
    private static partial void LogUnavailable(ILogger logger, string mailbox, Exception exception);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Deleted {Removed} of {Requested} message(s)")]
    private static partial void LogCommitted(ILogger logger, int removed, int requested);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not release the lock of mailbox {Mailbox}; the connection is dropped instead")]
    private static partial void LogUnlockFailed(ILogger logger, string mailbox, Exception exception);

    /// <summary>A column stream that also disposes its reader and command, freeing the connection for the next command.</summary>
    private sealed class RowStream(Stream column, NpgsqlDataReader reader, NpgsqlCommand command) : Stream
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

        public override int Read(byte[] buffer, int offset, int count) => column.Read(buffer, offset, count);

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            column.ReadAsync(buffer, cancellationToken);

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            column.ReadAsync(buffer, offset, count, cancellationToken);

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
            }

            base.Dispose(disposing);
        }
    }
}
