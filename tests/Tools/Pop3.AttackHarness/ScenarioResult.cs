namespace Pop3.AttackHarness;

/// <summary>One scenario's outcome: what it aimed for, what it measured, and whether the target held.</summary>
internal sealed record ScenarioResult(string Id, string Attack, string Target, string Measured, bool? Held)
{
    /// <summary>Every figure the scenario took, for the JSON report.</summary>
    public Dictionary<string, object> Figures { get; init; } = [];

    public static ScenarioResult Failed(string id, string attack, string target, Exception e) =>
        new(id, attack, target, "could not run: " + e.Message.Split('\n')[0], null);
}
