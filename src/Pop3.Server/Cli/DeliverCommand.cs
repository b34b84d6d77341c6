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
/// </summary>
internal static class DeliverCommand
{
    public const string UsageText = "usage: Pop3.Server deliver --user NAME [--Key=value ...] < message";

    public static async Task<int> RunAsync(string[] args, Stream input, TextWriter output, TextWriter error)
    {
        var parsed = CliArguments.Parse(args, "user");
        if (parsed["user"] is not { Length: > 0 } user)
        {
            await error.WriteLineAsync(UsageText);
            return SysExits.Usage;
        }

        IHost host;
        Pop3Store store;
        try
        {
            host = CommandHost.Build(parsed.Configuration);
            store = ConfiguredStoreExtensions.SelectedStore(host.Services.GetRequiredService<IConfiguration>());
        }
        catch (InvalidOperationException e)
        {
            await error.WriteLineAsync("deliver: " + e.Message);
            return SysExits.Config;
        }

        using (host)
        {
            if (!CommandHost.IsKnownUser(host, user))
            {
                await error.WriteLineAsync($"deliver: no such user '{user}'");
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
                        var postgres = host.Services.GetRequiredService<PostgreSqlMailStore>();
                        if (host.Services.GetRequiredService<IOptions<PostgreSqlStoreOptions>>().Value.MigrateOnStart)
                        {
                            await postgres.MigrateAsync(CancellationToken.None);
                        }

                        await postgres.DeliverAsync(user, input, null, CancellationToken.None);
                        return SysExits.Ok;

                    default:
                        await error.WriteLineAsync($"deliver: the {store} store takes no deliveries; mail arrives at the upstream server");
                        return SysExits.Unavailable;
                }
            }
            catch (OptionsValidationException e)
            {
                await error.WriteLineAsync("deliver: " + e.Message);
                return SysExits.Config;
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
