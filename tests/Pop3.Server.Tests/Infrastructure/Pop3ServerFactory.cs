using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Pop3.Kestrel;
using Pop3.Kestrel.Authentication;
using Pop3.Kestrel.Hosting;
using Pop3.Kestrel.Maildrops;

namespace Pop3.Server.Tests.Infrastructure;

/// <summary>
/// The real server (its Program) on real sockets: Kestrel bound to 127.0.0.1 on a free port.
/// Settings and services can be changed per test before the first use.
/// </summary>
public class Pop3ServerFactory : WebApplicationFactory<Program>
{
    private readonly Dictionary<string, string?> _settings = new()
    {
        ["Pop3:Endpoints:Default:Address"] = "127.0.0.1",
        ["Pop3:Endpoints:Default:Port"] = "0",
        ["Pop3:Admin:Address"] = "127.0.0.1",
        ["Pop3:Admin:Port"] = "0",
        ["Pop3:DataPath"] = Path.Combine(Path.GetTempPath(), "pop3-data-" + Guid.NewGuid().ToString("N")),
        ["Pop3:Authentication:FailureDelay"] = "00:00:00",
    };

    private readonly List<Action<IServiceCollection>> _services = [];

    public Pop3ServerFactory()
    {
        UseKestrel();
    }

    /// <summary>Sets a configuration value, e.g. <c>Pop3:Greeting</c>.</summary>
    public Pop3ServerFactory With(string key, string? value)
    {
        _settings[key] = value;
        return this;
    }

    /// <summary>Changes the server's services after Program registered its own.</summary>
    public Pop3ServerFactory WithServices(Action<IServiceCollection> configure)
    {
        _services.Add(configure);
        return this;
    }

    /// <summary>Serves <paramref name="store"/> with the test users (see <see cref="TestUsers"/>).</summary>
    public Pop3ServerFactory WithInMemoryMail(InMemoryMailStore store) => WithServices(services =>
    {
        new Pop3ServerBuilder(services).AddInMemoryMaildrop();
        services.AddSingleton(store);
        services.AddSingleton<IPop3Authenticator, TestUsers>();
    });

    /// <summary>Starts the server if needed and returns the POP3 listener's address.</summary>
    public IPEndPoint Pop3EndPoint => EndPointOf("Default");

    /// <summary>Starts the server if needed and returns the address of listener <paramref name="name"/>.</summary>
    public IPEndPoint EndPointOf(string name)
    {
        StartServer();
        return Services.GetRequiredService<Pop3Listeners>().EndPointOf(name);
    }

    /// <summary>Starts the server if needed and returns an HTTP client for the admin listener (<c>Pop3:Admin</c>).</summary>
    public HttpClient CreateAdminClient()
    {
        StartServer();
        var admin = Pop3.Kestrel.Admin.Pop3AdminExtensions.GetPop3AdminEndPoint(Services)
            ?? throw new InvalidOperationException("No admin listener (Pop3:Admin:Port is not set).");
        return new HttpClient { BaseAddress = new Uri($"http://{admin}/") };
    }

    /// <summary>Adds an implicit-TLS listener "Secure" on a free port and uses <paramref name="certificates"/> as the default certificate.</summary>
    public Pop3ServerFactory WithTls(TestCertificates certificates) =>
        With("Pop3:Certificate:Path", certificates.CertificatePath)
            .With("Pop3:Certificate:KeyPath", certificates.KeyPath)
            .With("Pop3:Endpoints:Secure:Address", "127.0.0.1")
            .With("Pop3:Endpoints:Secure:Port", "0")
            .With("Pop3:Endpoints:Secure:Tls", "Implicit");

    /// <summary>The host environment name (the default, Development, makes a self-signed certificate when none is configured).</summary>
    public string Environment { get; set; } = "Development";

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment(Environment);
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureServices(services =>
        {
            foreach (var configure in _services)
            {
                configure(services);
            }
        });
    }
}

/// <summary>alice/secret and bob/"hunter 2"; every other login fails.</summary>
public sealed class TestUsers : IPop3Authenticator
{
    public ValueTask<Pop3AuthenticationResult> AuthenticateAsync(string user, string password, Pop3ConnectionInfo connection, CancellationToken cancellationToken) =>
        ValueTask.FromResult((user, password) switch
        {
            ("alice", "secret") => Pop3AuthenticationResult.Success("alice"),
            ("bob", "hunter 2") => Pop3AuthenticationResult.Success("bob"),
            _ => Pop3AuthenticationResult.Failure,
        });
}
