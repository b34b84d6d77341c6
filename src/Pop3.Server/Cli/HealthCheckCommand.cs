using System.CommandLine;

namespace Pop3.Server.Cli;

/// <summary>
/// <c>healthcheck [URL]</c>: the container image's HEALTHCHECK (the ASP.NET runtime image has no curl or
/// wget). GETs the admin listener's <c>/healthz</c>; exit 0 on 200, 1 otherwise.
/// </summary>
internal static class HealthCheckCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var url = new Argument<string?>("URL")
        {
            Description = "What to GET; default http://127.0.0.1:$Pop3__Admin__Port/healthz (port 9110).",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var command = new Command("healthcheck", "GET the admin listener's /healthz; exit 0 when healthy. For container HEALTHCHECKs.") { url };
        command.Aliases.Add("--healthcheck");
        command.SetAction((result, _) => RunAsync(result.GetValue(url), output, error));
        return command;
    }

    public static async Task<int> RunAsync(string? given, TextWriter output, TextWriter error)
    {
        var port = Environment.GetEnvironmentVariable("Pop3__Admin__Port") is { Length: > 0 } configured ? configured : "9110";
        var url = given ?? $"http://127.0.0.1:{port}/healthz";
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        try
        {
            using var response = await http.GetAsync(url);
            output.WriteLine($"{url}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            return response.IsSuccessStatusCode ? 0 : 1;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or UriFormatException or InvalidOperationException)
        {
            error.WriteLine($"{url}: {e.Message}");
            return 1;
        }
    }
}
