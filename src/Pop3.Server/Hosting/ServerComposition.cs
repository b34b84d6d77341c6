using Microsoft.AspNetCore.Server.Kestrel.Core;
using Pop3.Kestrel.Admin;
using Pop3.Kestrel.Hosting;
using Pop3.Kestrel.Upstream.OAuth2;
using Pop3.Server.Stores;

namespace Pop3.Server.Hosting;

/// <summary>The server's services and settings, shared by the server and its commands so both know the same keys.</summary>
internal static class ServerComposition
{
    /// <summary>
    /// The POP3 server, the store named by <c>Pop3:Store</c> (with OAuth 2.0 upstream when <c>Pop3:Upstream:OAuth2</c> is
    /// set), client workarounds, the users file, bearer-token logins (<c>Pop3:Authentication:OAuth</c>), LMTP delivery (<c>Pop3:Lmtp</c>), the admin listener.
    /// </summary>
    public static Pop3ServerBuilder AddServerServices(this IHostApplicationBuilder builder)
    {
        var pop3 = builder.AddPop3Server().AddConfiguredStore(builder.Configuration).AddClientWorkarounds(builder.Configuration).AddUsersFile().AddOAuthBearer().AddLmtp().AddAdmin();
        builder.Services.DeclarePop3Setting(DemoMailbox.Key, typeof(bool))
            .DeclarePop3Setting(ServerOperations.InlineKey, typeof(bool))

            // The host binds Kestrel's section too. Its limits are welcome; Kestrel:Endpoints or Kestrel:Certificates
            // would add HTTP listeners beside the POP3 ones (Pop3:Endpoints) and the admin one (Pop3:Admin), so are refused.
            .DeclarePop3Setting("Kestrel", typeof(KestrelServerOptions))
            .DeclarePop3Setting(OAuth2Options.SectionName, typeof(OAuth2Options));

        // The gateway logs in upstream with OAuth 2.0 tokens once the section is there (and the store is Upstream).
        if (builder.Configuration.GetSection(OAuth2Options.SectionName).Exists() && IsUpstream(builder.Configuration))
        {
            pop3.AddUpstreamOAuth2();
        }

        return pop3;
    }

    private static bool IsUpstream(IConfiguration configuration)
    {
        try
        {
            return ConfiguredStoreExtensions.SelectedStore(configuration) == Pop3Store.Upstream;
        }
        catch (InvalidOperationException)
        {
            // An unknown store name is reported by the settings check at start-up.
            return false;
        }
    }
}
