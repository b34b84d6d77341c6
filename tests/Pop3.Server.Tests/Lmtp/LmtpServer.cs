using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Pop3.Kestrel.Lmtp;
using Pop3.Server.Tests.Infrastructure;

namespace Pop3.Server.Tests.Lmtp;

/// <summary>
/// The real server (its Program, on real sockets) with an LMTP listener on a free port of 127.0.0.1, Maildirs at
/// <c>root/{user}</c> (or another store by settings) and the users alice and bob in the users file.
/// </summary>
public sealed class LmtpServer : IAsyncDisposable
{
    private readonly Pop3ServerFactory _factory = new();

    public LmtpServer(params (string Key, string Value)[] settings)
    {
        File.WriteAllText(Path.Combine(Root.Path, "users"), "alice:{PLAIN}secret\nbob:{PLAIN}hunter2\n");
        _factory.With("Pop3:Authentication:UsersFile", Path.Combine(Root.Path, "users"))
            .With("Pop3:Maildir:Path", Path.Combine(Root.Path, "{user}"))
            .With("Pop3:Lmtp:Endpoints:Default:Address", "127.0.0.1")
            .With("Pop3:Lmtp:Endpoints:Default:Port", "0")
            .With("Pop3:Lmtp:HostName", "lmtp.test");
        foreach (var (key, value) in settings)
        {
            _factory.With(key, value);
        }
    }

    public TempDirectory Root { get; } = new();

    /// <summary>Starts the server if needed and returns the LMTP listener's address.</summary>
    public IPEndPoint EndPoint
    {
        get
        {
            _ = _factory.Pop3EndPoint;
            return _factory.Services.GetRequiredService<Pop3LmtpListeners>().EndPointOf("Default");
        }
    }

    public IServiceProvider Services
    {
        get
        {
            _ = _factory.Pop3EndPoint;
            return _factory.Services;
        }
    }

    /// <summary>The messages in <paramref name="user"/>'s Maildir new/, oldest first (names sort in delivery order).</summary>
    public byte[][] Maildir(string user)
    {
        var folder = Path.Combine(Root.Path, user, "new");
        return Directory.Exists(folder)
            ? Directory.GetFiles(folder).Order(StringComparer.Ordinal).Select(File.ReadAllBytes).ToArray()
            : [];
    }

    public async ValueTask DisposeAsync()
    {
        await _factory.DisposeAsync();
        Root.Dispose();
    }
}
