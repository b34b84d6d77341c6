using System.CommandLine;
using Microsoft.Extensions.Options;
using Npgsql;
using Pop3.Kestrel.Hosting;
using Pop3.Kestrel.PostgreSql;
using Pop3.Server.Stores;

namespace Pop3.Server.Cli;

/// <summary>
/// <c>Pop3.Server migrate</c>: creates or upgrades the PostgreSQL store's schema, as an operation of its own (a
/// Kubernetes Job, a deploy step) rather than a side effect of every node's start. <c>--check</c> only reports whether
/// this build can serve the schema as it is. Exit codes follow sysexits.h: 0 done (or supported), 69 the configured store
/// has no schema, 75 the database cannot be reached or (with <c>--check</c>) the schema is not one this build supports
/// yet, 78 configuration error or a schema that needs a newer server.
/// </summary>
internal static class MigrateCommand
{
    public static Command Create(string[] configuration, TextWriter output, TextWriter error)
    {
        var check = new Option<bool>("--check") { Description = "Change nothing: exit 0 if this build can serve the schema as it is, 75 if not." };
        var command = new Command("migrate",
            "Create or upgrade the PostgreSQL store's schema (Pop3:Store=PostgreSql). Run it once per release before or\n" +
            "while the new nodes start; with Pop3:PostgreSql:MigrateOnStart=false nodes never migrate themselves.\n" +
            "Exit 0 done, 69 the store has no schema, 75 database unreachable (or --check: not supported yet),\n" +
            "78 configuration error or a schema newer than this server. Takes configuration arguments.")
        {
            check,
        };
        command.SetAction((result, _) => RunAsync(result.GetValue(check), configuration, output, error));
        return command;
    }

    public static async Task<int> RunAsync(bool check, string[] configuration, TextWriter output, TextWriter error)
    {
        IHost host;
        Pop3Store selected;
        try
        {
            host = CommandHost.Build(configuration);
            selected = ConfiguredStoreExtensions.SelectedStore(host.Services.GetRequiredService<IConfiguration>());
        }
        catch (Exception e) when (e is InvalidOperationException or OptionsValidationException)
        {
            await error.WriteLineAsync("migrate: " + e.Message);
            return SysExits.Config;
        }

        using (host)
        {
            if (selected != Pop3Store.PostgreSql)
            {
                await error.WriteLineAsync($"migrate: the {selected} store has no schema; migrations are for {ConfiguredStoreExtensions.StoreKey}=PostgreSql");
                return SysExits.Unavailable;
            }

            try
            {
                if (!check)
                {
                    var applied = await host.Services.MigratePostgreSqlAsync();
                    await output.WriteLineAsync($"migrate: {applied} migration(s) applied");
                }

                var (supported, reason) = await host.Services.CheckPostgreSqlSchemaAsync();
                await output.WriteLineAsync($"migrate: {reason}; this server supports {PostgreSqlMigrations.Oldest} to {PostgreSqlMigrations.Latest}" +
                    (supported ? "" : " (not supported)"));
                return supported ? SysExits.Ok : SysExits.TempFail;
            }
            catch (OptionsValidationException e)
            {
                await error.WriteLineAsync("migrate: " + e.Message);
                return SysExits.Config;
            }
            catch (InvalidOperationException e)
            {
                // The schema is newer than this server and not compatible with it.
                await error.WriteLineAsync("migrate: " + e.Message);
                return SysExits.Config;
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException)
            {
                await error.WriteLineAsync("migrate: temporary failure: " + e.Message);
                return SysExits.TempFail;
            }
        }
    }
}
