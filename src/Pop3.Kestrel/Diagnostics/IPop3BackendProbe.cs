namespace Pop3.Kestrel.Diagnostics;

/// <summary>
/// A backend's answer to "can you be reached?", asked by the admin listener's <c>/readyz</c>. Register any
/// number (singleton or scoped); a probe that finds a problem makes the server not ready.
/// </summary>
public interface IPop3BackendProbe
{
    /// <summary>Null when the backend is reachable; otherwise a short description of the problem (no secrets).</summary>
    ValueTask<string?> ProbeAsync(CancellationToken cancellationToken);
}
