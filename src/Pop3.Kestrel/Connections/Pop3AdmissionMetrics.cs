using System.Diagnostics.Metrics;
using Pop3.Kestrel.Diagnostics;

namespace Pop3.Kestrel.Connections;

/// <summary>The gate's instruments, on the server's <see cref="Pop3Metrics.MeterName"/> meter.</summary>
internal sealed class Pop3AdmissionMetrics
{
    private readonly Counter<long> _evicted;
    private readonly Counter<long> _refused;

    public Pop3AdmissionMetrics(IMeterFactory meters, Pop3ConnectionGate gate)
    {
        var meter = meters.Create(Pop3Metrics.MeterName);
        meter.CreateObservableGauge("pop3.connections.unauthenticated", () => gate.UnauthenticatedConnections, "{connection}",
            "Connections admitted that have not logged in yet (the pool Pop3:Limits:MaxUnauthenticatedConnections caps).");
        _evicted = meter.CreateCounter<long>("pop3.connections.evicted", "{connection}",
            "Unauthenticated connections closed to admit newer ones, by reason (pop3.reason).");
        _refused = meter.CreateCounter<long>("pop3.connections.refused", "{connection}",
            "Connections refused at connect, by reason (pop3.reason).");
    }

    public void Evicted(Pop3EvictionReason reason) => _evicted.Add(1, new KeyValuePair<string, object?>("pop3.reason", Name(reason)));

    public void Refused(Pop3ConnectionRefusal reason) => _refused.Add(1, new KeyValuePair<string, object?>("pop3.reason", Name(reason)));

    private static string Name(Pop3EvictionReason reason) => reason switch
    {
        Pop3EvictionReason.TooManyUnauthenticated => "too_many_unauthenticated",
        Pop3EvictionReason.TooManyFromAddress => "too_many_from_address",
        Pop3EvictionReason.TooManyConnections => "too_many_connections",
        Pop3EvictionReason.PreLoginTimeout => "prelogin_timeout",
        _ => "other",
    };

    private static string Name(Pop3ConnectionRefusal reason) => reason switch
    {
        Pop3ConnectionRefusal.TooManyConnections => "too_many_connections",
        Pop3ConnectionRefusal.TooManyFromAddress => "too_many_from_address",
        Pop3ConnectionRefusal.Banned => "banned",
        _ => "other",
    };
}
