namespace Pop3.Server.Cli;

/// <summary>
/// <c>healthcheck [URL]</c>: the container image's HEALTHCHECK (the ASP.NET runtime image has no curl or
/// wget). GETs the admin listener's <c>/healthz</c>; exit 0 on 200, 1 otherwise.
/// </summary>
internal static class HealthCheckCommand
{
    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error)
    {
        var port = Environment.GetEnvironmentVariable("Pop3__Admin__Port") is { Length: > 0 } configured ? configured : "9110";
        var url = args.Length > 0 ? args[0] : $"http://127.0.0.1:{port}/healthz";
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
