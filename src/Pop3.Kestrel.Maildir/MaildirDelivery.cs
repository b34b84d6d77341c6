using System.Globalization;
using System.Text;
using Pop3.Kestrel.Maildrops;

namespace Pop3.Kestrel.Maildir;

/// <summary>Delivers a message into a Maildir the way an MTA does: write to tmp/, sync, rename into new/.</summary>
/// <remarks>
/// Delivery takes no lock: a POP3 session lists a snapshot, so a message that arrives during a session
/// waits in new/ for the next one.
/// </remarks>
internal static class MaildirDelivery
{
    private static int s_counter;

    /// <summary>
    /// Stores <paramref name="message"/> byte for byte (no line-ending conversion) in
    /// <paramref name="maildirPath"/>/new as <c>&lt;unixtime&gt;.M&lt;micros&gt;P&lt;pid&gt;Q&lt;n&gt;.&lt;host&gt;,S=&lt;file size&gt;,W=&lt;POP3 size&gt;</c>,
    /// creating the Maildir if needed. Returns the full path of the delivered file.
    /// </summary>
    public static Task<string> DeliverAsync(string maildirPath, Stream message, CancellationToken ct) =>
        DeliverAsync(maildirPath, message, TimeProvider.System, ct);

    internal static async Task<string> DeliverAsync(string maildirPath, Stream message, TimeProvider time, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(maildirPath);
        ArgumentNullException.ThrowIfNull(message);

        var root = Path.GetFullPath(maildirPath);
        MaildirDirectory.Ensure(root);
        MaildirTmpCleanup.RunIfDue(root, time);

        var (unique, stream) = CreateTemporary(root, time);
        var temporary = stream.Name;
        try
        {
            long fileSize, pop3Size;
            await using (stream)
            {
                await message.CopyToAsync(stream, ct);
                await stream.FlushAsync(ct);
                fileSize = stream.Length;

                // Measured from what was stored, so the name describes the file even if the source stream lied about its length.
                stream.Position = 0;
                pop3Size = await MaildropMessage.MeasureSizeAsync(stream, ct);

                // The rename below must not become visible before the bytes are on disk.
                stream.Flush(flushToDisk: true);
            }

            var name = string.Create(CultureInfo.InvariantCulture, $"{unique},S={fileSize},W={pop3Size}");
            var delivered = Path.Combine(root, MaildirDirectory.New, name);
            File.Move(temporary, delivered, overwrite: false);
            MaildirDirectory.Sync(Path.Combine(root, MaildirDirectory.New));
            return delivered;
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }
    }

    private static (string Unique, FileStream Stream) CreateTemporary(string root, TimeProvider time)
    {
        var host = EscapeHost(Environment.MachineName);
        var options = new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.ReadWrite,
            Share = FileShare.None,
            BufferSize = 64 * 1024,
            Options = FileOptions.Asynchronous,
        };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = MaildirDirectory.PrivateFile;
        }

        for (var attempt = 0; ; attempt++)
        {
            var now = time.GetUtcNow();
            // Six digits always, so names delivered within one second sort in delivery order.
            var micros = now.Ticks % TimeSpan.TicksPerSecond / TimeSpan.TicksPerMicrosecond;
            var counter = Interlocked.Increment(ref s_counter);
            var unique = string.Create(
                CultureInfo.InvariantCulture,
                $"{now.ToUnixTimeSeconds()}.M{micros:D6}P{Environment.ProcessId}Q{counter}.{host}");
            try
            {
                return (unique, new FileStream(Path.Combine(root, MaildirDirectory.Tmp, unique), options));
            }
            catch (IOException) when (attempt < 10 && File.Exists(Path.Combine(root, MaildirDirectory.Tmp, unique)))
            {
                // Another process with our pid (a container restart) left a file of the same name: take the next counter.
            }
        }
    }

    /// <summary>The Maildir convention: '/' and ':' in the host name are written as octal escapes. ',' too, since it starts a field.</summary>
    private static string EscapeHost(string host)
    {
        var escaped = new StringBuilder(host.Length);
        foreach (var c in host)
        {
            _ = c switch
            {
                '/' => escaped.Append(@"\057"),
                ':' => escaped.Append(@"\072"),
                ',' => escaped.Append(@"\054"),
                _ when char.IsControl(c) || c == '\\' => escaped.Append('_'),
                _ => escaped.Append(c),
            };
        }

        return escaped.Length == 0 ? "localhost" : escaped.ToString();
    }
}
