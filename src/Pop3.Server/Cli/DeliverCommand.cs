using System.CommandLine;
using System.Diagnostics;
using Microsoft.Extensions.Options;
using Npgsql;
using Pop3.Kestrel.Maildir;
using Pop3.Kestrel.PostgreSql;
using Pop3.Server.Stores;

namespace Pop3.Server.Cli;

/// <summary>
/// <c>Pop3.Server deliver --user alice &lt; message.eml</c>: stores one message from standard input, byte for byte, in
/// the configured store. Usable as Postfix's <c>mailbox_command</c>; the exit code follows sysexits.h (0 delivered,
/// 64 usage, 67 unknown user, 69 the store takes no deliveries, 75 try again later, 78 configuration error).
/// Only users of the users file (<c>Pop3:Authentication:UsersFile</c>) are delivered to, unless <c>--create</c> says so:
/// a typo in a recipient, or a missing users file, must not create a mailbox nobody can log in to. It never migrates the
/// PostgreSQL schema (the <c>migrate</c> command does): a missing schema is a temporary failure, so the MTA keeps the mail.
/// </summary>
internal static class DeliverCommand
{
    public static Command Create(string[] configuration, Func<Stream> input, TextWriter output, TextWriter error)
    {
        var user = new Option<string>("--user", "-u") { Description = "The mailbox to deliver to.", HelpName = "NAME", Required = true };
        var create = new Option<bool>("--create")
        {
            Description = "Deliver even when the users file does not list the user (or there is no users file).",
        };
        var command = new Command("deliver",
            "Store one message from standard input in the configured store (Pop3:Store), byte for byte. For Postfix's\n" +
            "mailbox_command: exit 0 delivered, 67 no such user, 69 the store takes no deliveries, 75 try again later,\n" +
            "78 configuration error (sysexits.h). Takes configuration arguments (--Pop3:Maildir:Path=...).")
        {
            user, create,
        };
        command.SetAction((result, _) => RunAsync(result.GetValue(user)!, result.GetValue(create), configuration, input(), output, error));
        return command;
    }

    public static async Task<int> RunAsync(string user, bool create, string[] configuration, Stream input, TextWriter output, TextWriter error)
    {
        if (user.Length == 0)
        {
            await error.WriteLineAsync("deliver: --user must not be empty");
            return SysExits.Usage;
        }

        IHost host;
        Pop3Store store;
        try
        {
            host = CommandHost.Build(configuration);
            store = ConfiguredStoreExtensions.SelectedStore(host.Services.GetRequiredService<IConfiguration>());
        }
        catch (Exception e) when (e is InvalidOperationException or OptionsValidationException)
        {
            await error.WriteLineAsync("deliver: " + e.Message);
            return SysExits.Config;
        }

        using (host)
        {
            if (store is not (Pop3Store.Maildir or Pop3Store.PostgreSql))
            {
                await error.WriteLineAsync($"deliver: the {store} store takes no deliveries; mail arrives at the upstream server");
                return SysExits.Unavailable;
            }

            if (!create && CommandHost.UnknownUser(host, user) is { } why)
            {
                await error.WriteLineAsync("deliver: " + why);
                return SysExits.NoUser;
            }

            try
            {
                switch (store)
                {
                    case Pop3Store.Maildir:
                        var maildir = host.Services.GetRequiredService<IOptions<MaildirOptions>>().Value.MaildirOf(user);
                        if (maildir is null)
                        {
                            await error.WriteLineAsync($"deliver: '{user}' cannot name a Maildir");
                            return SysExits.NoUser;
                        }

                        await MaildirDelivery.DeliverAsync(maildir, input, CancellationToken.None);
                        return SysExits.Ok;

                    case Pop3Store.PostgreSql:
                        // Never migrates: one process per message must not take the migration lock each time.
                        var postgres = host.Services.GetRequiredService<PostgreSqlMailStore>();
                        await postgres.DeliverAsync(user, input, null, CancellationToken.None);
                        return SysExits.Ok;

                    default:
                        throw new UnreachableException();
                }
            }
            catch (OptionsValidationException e)
            {
                await error.WriteLineAsync("deliver: " + e.Message);
                return SysExits.Config;
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UndefinedTable)
            {
                // The MTA keeps the message until an operator has run the migrations.
                await error.WriteLineAsync("deliver: temporary failure: the database has no mail schema yet; run the migrate command (" + e.MessageText + ")");
                return SysExits.TempFail;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or NpgsqlException or TimeoutException)
            {
                // The MTA keeps the message and tries again.
                await error.WriteLineAsync("deliver: temporary failure: " + e.Message);
                return SysExits.TempFail;
            }
        }
    }
}
