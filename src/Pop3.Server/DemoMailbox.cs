using System.Text;
using Pop3.Kestrel.Hosting;
using Pop3.Kestrel.Maildir;
using Pop3.Kestrel.UsersFile;

namespace Pop3.Server;

/// <summary>
/// With <c>Pop3:Demo</c> (set by <c>dotnet run</c>'s launch profile), a user "demo" with password "demo"
/// and a few messages exist from the first start, and the log says how to fetch them.
/// </summary>
internal sealed partial class DemoMailbox(IConfiguration configuration, Pop3Listeners listeners, IHostApplicationLifetime lifetime, ILogger<DemoMailbox> logger)
    : IHostedService
{
    /// <summary>The setting that turns the demo on.</summary>
    public const string Key = "Pop3:Demo";

    public const string User = "demo";
    public const string Password = "demo";

    /// <summary>Creates the demo user and mailbox if they do not exist yet. Runs before the host starts, so the users file exists when it is checked.</summary>
    public static async Task PrepareAsync(IConfiguration configuration, IHostEnvironment environment)
    {
        // A value that is not a boolean is reported by the settings check when the host starts.
        if (!IsOn(configuration))
        {
            return;
        }

        var usersFile = Path.GetFullPath(configuration[Pop3UsersFileOptions.UsersFileKey] ?? "data/users", environment.ContentRootPath);
        if (!File.Exists(usersFile))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(usersFile)!);
            await File.WriteAllTextAsync(usersFile,
                "# user:{SCHEME}password — make hashes with: dotnet run --project src/Pop3.Server -- hash-password\n" +
                $"{User}:{Pop3PasswordSchemes.Hash("SHA512-CRYPT", Password)}\n");
        }

        // The demo mail is put in a Maildir; with another store the demo user exists and its mail is the store's.
        if (!string.IsNullOrWhiteSpace(configuration[Stores.ConfiguredStoreExtensions.StoreKey])
            && !string.Equals(configuration[Stores.ConfiguredStoreExtensions.StoreKey]!.Trim(), nameof(Stores.Pop3Store.Maildir), StringComparison.OrdinalIgnoreCase))
        {
            return;
        }

        var template = configuration["Pop3:Maildir:Path"] ?? new MaildirOptions().Path;
        var maildir = Path.GetFullPath(template.Replace(MaildirOptions.UserPlaceholder, User, StringComparison.Ordinal));
        if (Directory.Exists(maildir))
        {
            return;
        }

        foreach (var message in Messages())
        {
            await using var stream = new MemoryStream(Encoding.UTF8.GetBytes(message));
            await MaildirDelivery.DeliverAsync(maildir, stream, CancellationToken.None);
        }
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (IsOn(configuration))
        {
            lifetime.ApplicationStarted.Register(() =>
            {
                foreach (var name in listeners.Names)
                {
                    var endPoint = listeners.EndPointOf(name);
                    LogDemo(logger, endPoint.Address.ToString(), endPoint.Port);
                }
            });
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(LogLevel.Warning,
        "Demo mailbox ready. User 'demo', password 'demo'. Try: curl pop3://{Address}:{Port}/1 -u demo:demo   (list: curl pop3://{Address}:{Port}/ -u demo:demo)")]
    private static partial void LogDemo(ILogger logger, string address, int port);

    private static IEnumerable<string> Messages()
    {
        var date = DateTimeOffset.UtcNow.ToString("ddd, dd MMM yyyy HH:mm:ss +0000", System.Globalization.CultureInfo.InvariantCulture);
        yield return $"From: Pop3.Kestrel <postmaster@localhost>\nTo: demo@localhost\nDate: {date}\nSubject: Welcome to Pop3.Kestrel\nMessage-ID: <welcome@pop3-kestrel.localhost>\n\nThis mailbox is served from a Maildir under data/mail/demo/Maildir.\nDrop more messages into its new/ folder, or plug in your own IMaildrop.\n";
        yield return $"From: Pop3.Kestrel <postmaster@localhost>\nTo: demo@localhost\nDate: {date}\nSubject: Dot-stuffing, demonstrated\nMessage-ID: <dots@pop3-kestrel.localhost>\n\nThe next line is a single dot; POP3 sends it as two and your client shows one.\n.\n..and this one starts with two.\n";
        yield return $"From: =?UTF-8?B?SsO8cmdlbg==?= <juergen@localhost>\nTo: demo@localhost\nDate: {date}\nSubject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe?=\nMessage-ID: <utf8@pop3-kestrel.localhost>\nMIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\nGrüße aus Pop3.Kestrel — 8-bit bytes pass through untouched.\n";
    }

    private static bool IsOn(IConfiguration configuration) => bool.TryParse(configuration[Key], out var on) && on;
}
