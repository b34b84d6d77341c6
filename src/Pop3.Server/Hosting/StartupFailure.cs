using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Options;
using Pop3.Kestrel.Admin;
using Pop3.Kestrel.Hosting;
using Pop3.Server.Cli;

namespace Pop3.Server.Hosting;

/// <summary>
/// Turns what stopped the server from starting into one message for the operator and a sysexits code: 78 for a
/// setting (the key is named), 1 for anything else (a listener that cannot bind is named by its key and address).
/// The stack trace only when asked for (<c>--verbose</c>, or Debug logging).
/// </summary>
internal static partial class StartupFailure
{
    public static int Report(Exception exception, IServiceProvider? services, bool verbose, TextWriter error)
    {
        int code;
        IReadOnlyList<string> lines;
        try
        {
            (code, lines) = Describe(exception, services);
        }
        catch (Exception e) when (e is ObjectDisposedException or InvalidOperationException)
        {
            (code, lines) = (exception is OptionsValidationException ? SysExits.Config : SysExits.Failure, [$"{exception.GetType().Name}: {exception.Message}"]);
        }

        foreach (var line in lines)
        {
            error.WriteLine("Pop3.Server: " + line);
        }

        error.WriteLine(code == SysExits.Config
            ? "Pop3.Server: not started: configuration error (exit 78)."
            : "Pop3.Server: not started (exit 1).");
        if (verbose)
        {
            error.WriteLine(exception.ToString());
        }

        error.Flush();
        return code;
    }

    /// <summary>True when the log level asked for is Debug or finer: the operator is debugging, so stack traces help.</summary>
    public static bool IsDebugLogging(IConfiguration? configuration) =>
        (configuration?["Serilog:MinimumLevel:Default"] ?? configuration?["Serilog:MinimumLevel"]) is { } level
        && (level.Equals("Debug", StringComparison.OrdinalIgnoreCase) || level.Equals("Verbose", StringComparison.OrdinalIgnoreCase));

    public static (int Code, IReadOnlyList<string> Lines) Describe(Exception exception, IServiceProvider? services)
    {
        var failures = Flatten(exception).ToList();
        var settings = failures.OfType<OptionsValidationException>().SelectMany(e => e.Failures).Distinct().ToList();
        if (settings.Count > 0)
        {
            return (SysExits.Config, settings);
        }

        var lines = new List<string>();
        foreach (var failure in failures)
        {
            lines.Add(failure switch
            {
                IOException { InnerException: AddressInUseException } => $"{Listener(failure.Message, services)}: address already in use",
                SocketException { SocketErrorCode: SocketError.AccessDenied } =>
                    $"{PrivilegedListeners(services)}: permission denied (a port below 1024 needs root or CAP_NET_BIND_SERVICE)",
                SocketException { SocketErrorCode: SocketError.AddressNotAvailable } =>
                    $"{SpecificAddressListeners(services)}: the address is not one of this machine's ({failure.Message})",
                _ => $"{failure.GetType().Name}: {failure.Message}",
            });
        }

        return (SysExits.Failure, lines.Distinct().ToList());
    }

    private static IEnumerable<Exception> Flatten(Exception exception)
    {
        switch (exception)
        {
            case AggregateException aggregate:
                foreach (var inner in aggregate.InnerExceptions.SelectMany(Flatten))
                {
                    yield return inner;
                }

                break;
            case IOException { InnerException: SocketException socket }:
                yield return socket;
                break;
            default:
                yield return exception;
                break;
        }
    }

    /// <summary>Which configured listener the address in Kestrel's bind error belongs to.</summary>
    private static string Listener(string message, IServiceProvider? services)
    {
        var match = BindAddress().Match(message);
        if (!match.Success || services is null)
        {
            return "a listener";
        }

        var port = int.Parse(match.Groups["port"].Value, System.Globalization.CultureInfo.InvariantCulture);
        var address = match.Groups["address"].Value;
        foreach (var (label, endPoint) in Listeners(services))
        {
            if (endPoint.Port == port)
            {
                return label;
            }
        }

        return $"{address}:{port}";
    }

    private static string PrivilegedListeners(IServiceProvider? services)
    {
        var privileged = services is null ? [] : Listeners(services).Where(l => l.EndPoint.Port is > 0 and < 1024).Select(l => l.Label).ToList();
        return privileged.Count == 0 ? "a listener" : string.Join(", ", privileged);
    }

    private static string SpecificAddressListeners(IServiceProvider? services)
    {
        var specific = services is null
            ? []
            : Listeners(services).Where(l => !l.EndPoint.Address.Equals(IPAddress.Any) && !l.EndPoint.Address.Equals(IPAddress.IPv6Any)
                && !IPAddress.IsLoopback(l.EndPoint.Address)).Select(l => l.Label).ToList();
        return specific.Count == 0 ? "a listener" : string.Join(", ", specific);
    }

    /// <summary>Every listener the server configured, by the key that configures it.</summary>
    private static IEnumerable<(string Label, IPEndPoint EndPoint)> Listeners(IServiceProvider services)
    {
        if (services.GetService<Pop3Listeners>() is { } pop3)
        {
            foreach (var name in pop3.Names)
            {
                var endPoint = pop3.EndPointOf(name);
                yield return ($"{Pop3ServerOptions.SectionName}:Endpoints:{name} ({endPoint})", endPoint);
            }
        }

        if (services.GetService<Pop3.Kestrel.Lmtp.Pop3LmtpListeners>() is { } lmtp)
        {
            foreach (var name in lmtp.Names)
            {
                // A Unix-socket listener has no port to match.
                if (IPEndPoint.TryParse(lmtp.DescribeEndPoint(name), out var endPoint))
                {
                    yield return ($"{Pop3.Kestrel.Lmtp.Pop3LmtpOptions.SectionName}:Endpoints:{name} ({endPoint})", endPoint);
                }
            }
        }

        if (services.GetPop3AdminEndPoint() is { } admin)
        {
            yield return ($"{Pop3AdminOptions.SectionName}:Port {admin.Port} ({admin.Address})", admin);
        }
    }

    [GeneratedRegex(@"://(?<address>\[[^\]]+\]|[^/:\s]+):(?<port>\d+)")]
    private static partial Regex BindAddress();
}
