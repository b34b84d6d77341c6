using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Pop3.LoadTool;

/// <summary>The figures of one run. Rates are per second of the measured wall time.</summary>
public sealed record LoadResult
{
    public string Label { get; init; } = "";

    public string Scenario { get; init; } = "";

    public int Concurrency { get; init; }

    public int Depth { get; init; }

    /// <summary>True when every reply passed its checks and no error occurred.</summary>
    public bool Ok { get; init; }

    public long Errors { get; init; }

    /// <summary>The first few errors, for the reader.</summary>
    public IReadOnlyList<string> FirstErrors { get; init; } = [];

    public double Seconds { get; init; }

    /// <summary>Completed operations: sessions (login), messages (retr), commands (pipeline), logins (bigbox), sessions held (idle).</summary>
    public long Operations { get; init; }

    public double OperationsPerSecond { get; init; }

    public string OperationName { get; init; } = "";

    /// <summary>Message octets after un-stuffing (retr).</summary>
    public long Bytes { get; init; }

    public double MiBPerSecond { get; init; }

    public double LatencyP50Ms { get; init; }

    public double LatencyP99Ms { get; init; }

    /// <summary>Messages in the mailbox, as STAT said (retr, bigbox).</summary>
    public int MailboxMessages { get; init; }

    public double ClientCpuSeconds { get; init; }

    /// <summary>CPU of the server's process tree during the measured part; null when no --server-pid.</summary>
    public double? ServerCpuSeconds { get; init; }

    /// <summary>Server CPU per operation in microseconds.</summary>
    public double? ServerCpuPerOperationUs { get; init; }

    /// <summary>Server CPU per message octet in nanoseconds (retr).</summary>
    public double? ServerCpuPerByteNs { get; init; }

    /// <summary>idle: sessions still answering NOOP at the end.</summary>
    public long? Alive { get; init; }

    /// <summary>idle: server tree PSS/RSS growth per held session, KiB.</summary>
    public double? PssPerSessionKiB { get; init; }

    public double? RssPerSessionKiB { get; init; }

    public long? ServerPssKiB { get; init; }

    public int? ServerProcesses { get; init; }

    private static readonly JsonSerializerOptions s_json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public string ToJson() => JsonSerializer.Serialize(this, s_json);

    public override string ToString()
    {
        var text = string.Create(CultureInfo.InvariantCulture,
            $"{Label} {Scenario} c={Concurrency}{(Scenario == "pipeline" ? $" depth={Depth}" : "")}: {(Ok ? "OK" : "FAILED")} {Operations} {OperationName} in {Seconds:F2} s = {OperationsPerSecond:F0}/s");
        if (Bytes > 0)
        {
            text += string.Create(CultureInfo.InvariantCulture, $", {MiBPerSecond:F1} MiB/s");
        }

        if (LatencyP50Ms > 0)
        {
            text += string.Create(CultureInfo.InvariantCulture, $", p50 {LatencyP50Ms:F2} ms, p99 {LatencyP99Ms:F2} ms");
        }

        text += string.Create(CultureInfo.InvariantCulture, $"; client CPU {ClientCpuSeconds:F2} s");
        if (ServerCpuSeconds is { } server)
        {
            text += string.Create(CultureInfo.InvariantCulture, $", server CPU {server:F2} s ({ServerCpuPerOperationUs:F1} µs/op)");
        }

        if (PssPerSessionKiB is { } pss)
        {
            text += string.Create(CultureInfo.InvariantCulture, $"; {Alive} alive, {pss:F1} KiB PSS/session, {RssPerSessionKiB:F1} KiB RSS/session");
        }

        if (Errors > 0)
        {
            text += $"; {Errors} errors, first: {string.Join(" | ", FirstErrors)}";
        }

        return text;
    }
}
