namespace Pop3.Kestrel.Upstream.OAuth2.Tests.Infrastructure;

/// <summary>
/// Test classes whose token sources count on the <c>Pop3.Kestrel</c> meter run one after another: OpenTelemetry's meter
/// provider listens to every meter of that name in the process, not only its own host's, so a gateway's Prometheus
/// endpoint would also count another class's refusals.
/// </summary>
[CollectionDefinition(Name)]
public sealed class SharedMeterCollection
{
    public const string Name = "Pop3.Kestrel meter";
}
