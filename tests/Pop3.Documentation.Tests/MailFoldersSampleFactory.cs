using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Pop3.Kestrel.Hosting;

namespace Pop3.Documentation.Tests;

/// <summary>
/// The README's synopsis, run: the MailFolders sample's own Program and services, on Kestrel at 127.0.0.1 on a free
/// port, serving a fresh temporary folder of mail.
/// </summary>
public sealed class MailFoldersSampleFactory : WebApplicationFactory<Program>
{
    public MailFoldersSampleFactory()
    {
        Directory.CreateDirectory(Root);
        UseKestrel();
    }

    /// <summary>The folder that holds a folder per user.</summary>
    public string Root { get; } = Path.Combine(Path.GetTempPath(), "pop3-mailfolders-" + Guid.NewGuid().ToString("N"));

    /// <summary>Starts the server if needed and returns the POP3 listener's address.</summary>
    public IPEndPoint Pop3EndPoint
    {
        get
        {
            StartServer();
            return Services.GetPop3EndPoint("Default");
        }
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Production");
        builder.UseSetting("MailFolders", Root);
        builder.UseSetting("Pop3:Endpoints:Default:Address", "127.0.0.1");
        builder.UseSetting("Pop3:Endpoints:Default:Port", "0");
        builder.UseSetting("Pop3:DataPath", Path.Combine(Root, ".data"));
        builder.UseSetting("Pop3:Authentication:FailureDelay", "00:00:00");
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        Directory.Delete(Root, recursive: true);
    }
}
