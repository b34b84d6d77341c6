using System.Buffers;
using System.Buffers.Text;
using System.IO.Pipelines;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Pop3.Kestrel.Authentication;
using Pop3.Kestrel.Hosting;
using Pop3.Kestrel.Maildrops;
using Pop3.Kestrel.Protocol;

namespace Pop3.Kestrel.Sessions;

/// <summary>Everything a command handler may see and change of one session. The session never exposes Kestrel types.</summary>
public sealed class Pop3SessionContext
{
    private readonly TimeProvider _time;

    internal Pop3SessionContext(Pop3ConnectionInfo connection, PipeWriter output, IServiceProvider services, Pop3ServerOptions options, TimeProvider time)
    {
        Connection = connection;
        Output = output;
        Services = services;
        Options = options;
        _time = time;
        Started = time.GetTimestamp();
    }

    /// <summary>The client connection.</summary>
    public Pop3ConnectionInfo Connection { get; }

    /// <summary>Where replies go. Handlers write; the session flushes once per batch of commands.</summary>
    public PipeWriter Output { get; internal set; }

    /// <summary>The session's DI scope.</summary>
    public IServiceProvider Services { get; }

    /// <summary>The server's settings.</summary>
    public Pop3ServerOptions Options { get; }

    /// <summary>AUTHORIZATION, TRANSACTION or UPDATE.</summary>
    public Pop3SessionState State { get; internal set; }

    /// <summary>The name given with USER, waiting for PASS.</summary>
    public string? PendingUser { get; set; }

    /// <summary>The authenticated user, once logged in.</summary>
    public string? User { get; private set; }

    /// <summary>The open maildrop, once logged in.</summary>
    public Pop3Maildrop? Maildrop { get; private set; }

    /// <summary>True once the client sent UTF8 (RFC 6856): user names and passwords may then be UTF-8.</summary>
    public bool Utf8Enabled { get; set; }

    /// <summary>When set, the next client line goes to it instead of being parsed as a command (SASL exchanges).</summary>
    public IPop3LineContinuation? Continuation { get; set; }

    /// <summary>The longest line a continuation, or an AUTH command with an initial response, may send, CRLF included.</summary>
    public int MaxContinuationLineLength => Pop3Session.MaxAuthLineLength;

    /// <summary>STLS support for this connection, or null where the host offers none.</summary>
    public IPop3TlsUpgrade? Tls { get; internal set; }

    /// <summary>True if STLS can be offered now: a certificate exists, the connection is not yet encrypted, nobody is logged in.</summary>
    public bool CanStartTls => Tls is { IsAvailable: true } && !Connection.IsSecure && State == Pop3SessionState.Authorization;

    /// <summary>The user's LOGIN-DELAY and EXPIRE, once logged in.</summary>
    public Pop3UserSettings UserSettings { get; private set; }

    internal long Started { get; }

    internal int Commands { get; set; }

    internal int Retrieved { get; set; }

    internal long RetrievedBytes { get; set; }

    internal int Topped { get; set; }

    internal long ToppedBytes { get; set; }

    internal int DeletedAtUpdate { get; set; }

    internal long DeletedBytesAtUpdate { get; set; }

    internal TimeSpan Elapsed => _time.GetElapsedTime(Started);

    /// <summary>The RETR being sent, or one that was cut short; null once a message went out whole.</summary>
    internal Commands.Pop3MessageTransfer? Transfer { get; set; }

    /// <summary>Flushes when enough output has piled up (long listings); false if the client is gone.</summary>
    public async ValueTask<bool> FlushIfFullAsync(CancellationToken cancellationToken)
    {
        if (Output.UnflushedBytes < Pop3MessageWriter.FlushThreshold)
        {
            return true;
        }

        var flush = await Output.FlushAsync(cancellationToken);
        return !flush.IsCompleted && !flush.IsCanceled;
    }

    /// <summary>Writes a fixed reply.</summary>
    public void Write(ReadOnlySpan<byte> reply) => Output.Write(reply);

    /// <summary>Writes <c>+OK a b</c> CRLF (STAT, LIST n).</summary>
    public void WriteOk(long a, long b)
    {
        var span = Output.GetSpan(48);
        "+OK "u8.CopyTo(span);
        var written = 4 + FormatPair(span[4..], a, b);
        Output.Advance(written);
    }

    /// <summary>Writes <c>a b</c> CRLF, a line of a LIST listing.</summary>
    public void WritePair(long a, long b)
    {
        var span = Output.GetSpan(48);
        Output.Advance(FormatPair(span, a, b));
    }

    /// <summary>Writes <c>+OK n uid</c> CRLF, or <c>n uid</c> CRLF without the prefix (UIDL).</summary>
    public void WriteUid(int number, string uid, bool ok)
    {
        var span = Output.GetSpan(96);
        var written = 0;
        if (ok)
        {
            "+OK "u8.CopyTo(span);
            written = 4;
        }

        Utf8Formatter.TryFormat(number, span[written..], out var n);
        written += n;
        span[written++] = (byte)' ';
        written += Encoding.ASCII.GetBytes(uid, span[written..]);
        span[written++] = (byte)'\r';
        span[written++] = (byte)'\n';
        Output.Advance(written);
    }

    /// <summary>Writes a one-line reply made of a fixed start, a number and a fixed end, e.g. <c>+OK 120 octets</c>.</summary>
    public void WriteLine(ReadOnlySpan<byte> start, long number, ReadOnlySpan<byte> end)
    {
        var span = Output.GetSpan(start.Length + end.Length + 24);
        start.CopyTo(span);
        Utf8Formatter.TryFormat(number, span[start.Length..], out var n);
        end.CopyTo(span[(start.Length + n)..]);
        Output.Advance(start.Length + n + end.Length);
    }

    /// <summary>Writes a line of ASCII text followed by CRLF (CAPA lines, greetings built at run time).</summary>
    public void WriteAscii(string text)
    {
        var span = Output.GetSpan(text.Length + 2);
        var n = Encoding.ASCII.GetBytes(text, span);
        span[n] = (byte)'\r';
        span[n + 1] = (byte)'\n';
        Output.Advance(n + 2);
    }

    /// <summary>
    /// Reads a message number argument and checks it names a listed, undeleted message. On failure the
    /// <c>-ERR</c> reply is already written.
    /// </summary>
    public bool TryGetMessage(ReadOnlySpan<byte> argument, out int number)
    {
        if (!Pop3CommandParser.TryParseNumber(argument, out number))
        {
            Write(Pop3Replies.InvalidMessageNumber);
            return false;
        }

        if (Maildrop is null || !Maildrop.Exists(number))
        {
            Write(Pop3Replies.NoSuchMessage);
            return false;
        }

        if (Maildrop.IsDeleted(number))
        {
            Write(Pop3Replies.MessageDeleted);
            return false;
        }

        return true;
    }

    /// <summary>
    /// Finishes a successful authentication (USER/PASS, APOP or AUTH): opens and lists the maildrop and
    /// writes the reply. Returns <see cref="Pop3CommandResult.LoggedIn"/> or, with the reply written,
    /// <see cref="Pop3CommandResult.Failed"/>.
    /// </summary>
    public async ValueTask<Pop3CommandResult> CompleteLoginAsync(string user, string mailbox, CancellationToken cancellationToken)
    {
        var settings = Services.GetService<IPop3UserPolicy>() is { } policy ? await policy.GetSettingsAsync(user, cancellationToken) : default;

        // LOGIN-DELAY (RFC 2449 §6.5) and the per user+address limit are enforced here, on every login path,
        // keyed by the mailbox: the authenticator's canonical name, whatever spelling the client used.
        var guard = Services.GetService<Pop3LoginGuard>();
        if (guard is not null && !await guard.BeforeOpenAsync(this, mailbox, settings.LoginDelaySeconds ?? Options.LoginDelay, cancellationToken))
        {
            return Pop3CommandResult.Failed;
        }

        var backend = Services.GetRequiredService<IMaildrop>();
        var status = await backend.OpenAsync(mailbox, cancellationToken);
        if (status != MaildropOpenStatus.Opened)
        {
            guard?.OpenFailed(this);
            if (status == MaildropOpenStatus.InUse)
            {
                Services.GetService<Diagnostics.Pop3Metrics>()?.LockConflict();
            }

            WriteOpenFailure(status, backend.OpenFailureText);
            return Pop3CommandResult.Failed;
        }

        Maildrop = await Pop3Maildrop.LoadAsync(backend, mailbox, Services.GetRequiredService<Pop3MessageSizeCache>(), cancellationToken);
        UserSettings = settings;
        if (guard is not null)
        {
            await guard.LoggedInAsync(this, user, mailbox, cancellationToken);
        }

        User = user;
        PendingUser = null;
        WriteLoggedIn(Maildrop.Count, Maildrop.Size);
        return Pop3CommandResult.LoggedIn;
    }

    /// <summary>The reply to a maildrop that did not open: its response code, and the backend's own text when it gave one.</summary>
    private void WriteOpenFailure(MaildropOpenStatus status, string? text)
    {
        if (status == MaildropOpenStatus.InUse || (status == MaildropOpenStatus.Unavailable && string.IsNullOrWhiteSpace(text)))
        {
            Write(status == MaildropOpenStatus.InUse ? Pop3Replies.MaildropInUse : Pop3Replies.MaildropUnavailable);
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

        WriteAscii(line.ToString());
    }

    private void WriteLoggedIn(int count, long size)
    {
        var span = Output.GetSpan(80);
        var w = 0;
        "+OK Logged in, "u8.CopyTo(span);
        w += 15;
        Utf8Formatter.TryFormat(count, span[w..], out var n);
        w += n;
        " messages ("u8.CopyTo(span[w..]);
        w += 11;
        Utf8Formatter.TryFormat(size, span[w..], out n);
        w += n;
        " octets)\r\n"u8.CopyTo(span[w..]);
        Output.Advance(w + 10);
    }

    private static int FormatPair(Span<byte> span, long a, long b)
    {
        Utf8Formatter.TryFormat(a, span, out var w);
        span[w++] = (byte)' ';
        Utf8Formatter.TryFormat(b, span[w..], out var n);
        w += n;
        span[w++] = (byte)'\r';
        span[w++] = (byte)'\n';
        return w;
    }
}
