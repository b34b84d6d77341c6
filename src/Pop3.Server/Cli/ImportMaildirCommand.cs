using System.CommandLine;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using Pop3.Kestrel.Maildir;
using Pop3.Kestrel.Maildrops;
using Pop3.Kestrel.PostgreSql;
using Pop3.Kestrel.Sessions;
using Pop3.Server.Stores;

namespace Pop3.Server.Cli;

/// <summary>
/// <c>Pop3.Server import-maildir --user alice --path /var/mail/alice/Maildir</c>: copies a Maildir into the PostgreSQL
/// store with the UIDLs it was served with (Dovecot's from <c>dovecot-uidlist</c>, else the file names), so clients do
/// not download the mail again. Messages whose UIDL the mailbox already has are skipped: it can run again. The Maildir
/// is read as this server would serve it (new/ is moved to cur/, the Maildir's lock is taken), and nothing is deleted.
/// </summary>
internal static class ImportMaildirCommand
{
    /// <summary>
    /// The Maildir server's lock when its settings are in the configuration (<c>Pop3:Maildir:LockFile</c>, or the
    /// <c>Pop3:Maildir:Path</c> it is derived from), so the import and a session never share the Maildir; without
    /// them, the per-Maildir lock file, which older servers and other imports respect.
    /// </summary>
    private static MaildirOptions LockOptions(IConfiguration configuration, string source)
    {
        var section = configuration.GetSection(MaildirOptions.SectionName);
        var configured = section.Get<MaildirOptions>() ?? new MaildirOptions();
        if (string.IsNullOrWhiteSpace(configured.LockFile) && string.IsNullOrWhiteSpace(section["Path"]))
        {
            return new MaildirOptions { Path = source, Locking = MaildirLocking.PerMaildir };
        }

        return new MaildirOptions
        {
            Path = source,
            Locking = configured.Locking,
            LockFile = string.IsNullOrWhiteSpace(configured.LockFile) ? MaildirLocks.DefaultLockFile(configured.Path) : configured.LockFile,
        };
    }

    public static Command Create(string[] configuration, TextWriter output, TextWriter error)
    {
        var user = new Option<string>("--user", "-u") { Description = "The PostgreSQL mailbox to import into.", HelpName = "NAME", Required = true };
        var path = new Option<string>("--path", "-p") { Description = "The Maildir (the folder holding cur/ and new/).", HelpName = "MAILDIR", Required = true };
        var command = new Command("import-maildir",
            "Copy a Maildir into the PostgreSQL store (Pop3:Store=PostgreSql), keeping the UIDLs it was served with\n" +
            "(Dovecot's dovecot-uidlist). Messages already imported are skipped. Takes configuration arguments.")
        {
            user, path,
        };
        command.SetAction((result, _) => RunAsync(result.GetValue(user)!, result.GetValue(path)!, configuration, output, error));
        return command;
    }

    public static async Task<int> RunAsync(string user, string path, string[] configuration, TextWriter output, TextWriter error)
    {
        if (!Directory.Exists(Path.Combine(path, "cur")) && !Directory.Exists(Path.Combine(path, "new")))
        {
            await error.WriteLineAsync($"import-maildir: '{path}' is not a Maildir (no cur/ or new/)");
            return SysExits.Usage;
        }

        IHost host;
        try
        {
            host = CommandHost.Build(configuration);
            if (ConfiguredStoreExtensions.SelectedStore(host.Services.GetRequiredService<IConfiguration>()) != Pop3Store.PostgreSql)
            {
                await error.WriteLineAsync($"import-maildir: imports into PostgreSQL; set {ConfiguredStoreExtensions.StoreKey}=PostgreSql");
                host.Dispose();
                return SysExits.Usage;
            }
        }
        catch (Exception e) when (e is InvalidOperationException or OptionsValidationException)
        {
            await error.WriteLineAsync("import-maildir: " + e.Message);
            return SysExits.Config;
        }

        using (host)
        {
            try
            {
                var store = host.Services.GetRequiredService<PostgreSqlMailStore>();
                if (host.Services.GetRequiredService<IOptions<PostgreSqlStoreOptions>>().Value.MigrateOnStart)
                {
                    await store.MigrateAsync(CancellationToken.None);
                }

                // The path given is the Maildir itself: a template without {user} resolves to it for any user.
                var source = Path.GetFullPath(path);
                await using var maildir = new MaildirMaildrop(
                    Options.Create(LockOptions(host.Services.GetRequiredService<IConfiguration>(), source)), NullLogger<MaildirMaildrop>.Instance);
                var status = await maildir.OpenAsync(user, CancellationToken.None);
                if (status != MaildropOpenStatus.Opened)
                {
                    await error.WriteLineAsync($"import-maildir: cannot open '{source}': {status}");
                    return status == MaildropOpenStatus.InUse ? SysExits.TempFail : SysExits.Unavailable;
                }

                var messages = (await maildir.ListAsync(CancellationToken.None)).ToArray();
                var uidls = Pop3Maildrop.AssignUids(messages);
                int imported = 0, skipped = 0;
                for (var i = 0; i < messages.Length; i++)
                {
                    await using var stream = await maildir.OpenMessageAsync(messages[i], CancellationToken.None);
                    if (await store.DeliverAsync(user, stream, uidls[i], CancellationToken.None) is null)
                    {
                        skipped++;
                    }
                    else
                    {
                        imported++;
                    }
                }

                await output.WriteLineAsync($"imported {imported} message(s) into {user}, skipped {skipped} already there");
                return SysExits.Ok;
            }
            catch (OptionsValidationException e)
            {
                await error.WriteLineAsync("import-maildir: " + e.Message);
                return SysExits.Config;
            }
            catch (InvalidOperationException e) when (e.InnerException is IOException or UnauthorizedAccessException)
            {
                // The Maildir lock file cannot be opened; the message names the setting.
                await error.WriteLineAsync("import-maildir: " + e.Message);
                return SysExits.Config;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or NpgsqlException or TimeoutException)
            {
                await error.WriteLineAsync("import-maildir: " + e.Message);
                return SysExits.TempFail;
            }
        }
    }
}
