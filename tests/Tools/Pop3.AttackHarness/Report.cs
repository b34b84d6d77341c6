using System.Text;
using System.Text.Json;

namespace Pop3.AttackHarness;

/// <summary>The results as a Markdown table and as JSON.</summary>
internal static class Report
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string Table(IEnumerable<ScenarioResult> results)
    {
        var table = new StringBuilder();
        table.AppendLine("| scenario | target | measured | held |");
        table.AppendLine("|---|---|---|---|");
        foreach (var r in results)
        {
            table.AppendLine($"| {r.Attack} | {r.Target} | {r.Measured} | {r.Held switch { true => "yes", false => "**no**", null => "not run" }} |");
        }

        return table.ToString();
    }

    public static string Json(IEnumerable<ScenarioResult> results, ulong fileLimit, TimeSpan elapsed) => JsonSerializer.Serialize(new
    {
        when = DateTimeOffset.UtcNow,
        processors = Environment.ProcessorCount,
        fileLimit,
        seconds = Math.Round(elapsed.TotalSeconds, 1),
        results,
    }, Indented);
}
