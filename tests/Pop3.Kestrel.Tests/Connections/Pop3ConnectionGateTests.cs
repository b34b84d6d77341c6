using System.Diagnostics.Metrics;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Pop3.Kestrel.Authentication;
using Pop3.Kestrel.Connections;
using Pop3.Kestrel.Diagnostics;
using Pop3.Kestrel.Hosting;

namespace Pop3.Kestrel.Tests.Connections;

/// <summary>The gate's rules on its own: who is evicted, who is refused, who is never touched, and the timeout curve.</summary>
public sealed class Pop3ConnectionGateTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly List<Pop3ConnectionLease> _leases = [];
    private readonly List<Pop3ConnectionLease> _evicted = [];

    private Pop3ConnectionGate Gate(Pop3LimitsOptions limits, ILogger<Pop3ConnectionGate>? logger = null, IMeterFactory? meters = null)
    {
        var throttle = new Pop3LoginThrottle(Options.Create(new Pop3AuthenticationOptions()), _time);
        return new Pop3ConnectionGate(Options.Create(limits), throttle, logger ?? NullLogger<Pop3ConnectionGate>.Instance,
            Options.Create(new Pop3ServerOptions { AuthorizationTimeout = TimeSpan.FromSeconds(60) }), _time, meters);
    }

    private Pop3ConnectionLease Admit(Pop3ConnectionGate gate, string address)
    {
        var lease = gate.TryAdmit(new Pop3ConnectionInfo("c" + _leases.Count, new IPEndPoint(IPAddress.Parse(address), 40000 + _leases.Count), null));
        if (lease.IsAdmitted)
        {
            lease.Watch(() => _evicted.Add(lease));
        }

        _leases.Add(lease);
        return lease;
    }

    [Fact]
    public void The_oldest_unauthenticated_connection_is_evicted_first_to_admit_a_newcomer()
    {
        var gate = Gate(new() { MaxConnections = 100, MaxUnauthenticatedConnections = 3 });
        var first = Admit(gate, "192.0.2.1");
        var second = Admit(gate, "192.0.2.2");
        var third = Admit(gate, "192.0.2.3");

        var fourth = Admit(gate, "192.0.2.4");
        Assert.True(fourth.IsAdmitted);
        Assert.Equal([first], _evicted);
        Assert.Equal("-ERR [SYS/TEMP] Too many connections waiting to log in, closing the oldest\r\n"u8.ToArray(), first.EvictionReply.ToArray());

        Admit(gate, "192.0.2.5");
        Assert.Equal([first, second], _evicted);
        Assert.Equal(3, gate.OpenConnections);
        Assert.Equal(3, gate.UnauthenticatedConnections);

        // The evicted connection's end gives back nothing more; the others are still counted.
        first.Dispose();
        Assert.Equal(3, gate.OpenConnections);
        third.Dispose();
        Assert.Equal(2, gate.OpenConnections);
    }

    [Fact]
    public void An_authenticated_session_is_never_evicted_and_a_full_house_of_them_refuses()
    {
        var gate = Gate(new() { MaxConnections = 3, MaxUnauthenticatedConnections = 3 });
        var alice = Admit(gate, "192.0.2.1");
        alice.Authenticated();
        var bob = Admit(gate, "192.0.2.1");
        bob.Authenticated();

        // One place is left for the unauthenticated: each newcomer takes it from the one before.
        var waiting = Admit(gate, "198.51.100.1");
        for (var i = 2; i < 50; i++)
        {
            Assert.True(Admit(gate, "198.51.100." + i).IsAdmitted);
        }

        Assert.DoesNotContain(alice, _evicted);
        Assert.DoesNotContain(bob, _evicted);
        Assert.Equal(waiting, _evicted[0]);
        Assert.Equal(48, _evicted.Count);

        _leases[^1].Authenticated();
        var refused = Admit(gate, "198.51.100.200");
        Assert.Equal(Pop3ConnectionRefusal.TooManyConnections, refused.RefusalReason);
        Assert.Equal("-ERR [SYS/TEMP] Too many connections, try again later\r\n"u8.ToArray(), refused.Refusal.ToArray());
        Assert.Equal(48, _evicted.Count);
        refused.Dispose();
        Assert.Equal(3, gate.OpenConnections);
    }

    [Fact]
    public void The_per_address_cap_counts_unauthenticated_connections_only_and_evicts_that_address_oldest()
    {
        var gate = Gate(new() { MaxConnections = 1000, MaxConnectionsPerIp = 2 });
        for (var i = 0; i < 200; i++)
        {
            Admit(gate, "203.0.113.7").Authenticated();
        }

        var other = Admit(gate, "203.0.113.8");
        var first = Admit(gate, "203.0.113.7");
        var second = Admit(gate, "203.0.113.7");
        Assert.Empty(_evicted);

        var third = Admit(gate, "203.0.113.7");
        Assert.True(third.IsAdmitted);
        Assert.Equal([first], _evicted);
        Admit(gate, "::ffff:203.0.113.7");
        Assert.Equal([first, second], _evicted);
        Assert.DoesNotContain(other, _evicted);
        Assert.Equal(203, gate.OpenConnections);
    }

    [Fact]
    public void A_login_that_completes_after_its_eviction_gets_its_place_back()
    {
        var gate = Gate(new() { MaxConnections = 2, MaxUnauthenticatedConnections = 2 });
        var slow = Admit(gate, "192.0.2.1");
        Admit(gate, "192.0.2.2");
        Admit(gate, "192.0.2.3");
        Assert.Equal([slow], _evicted);
        Assert.True(slow.IsEvicted);

        slow.Authenticated();
        Assert.False(slow.IsEvicted);
        Assert.Equal(3, gate.OpenConnections);
        slow.Dispose();
        Assert.Equal(2, gate.OpenConnections);
    }

    [Fact]
    public void The_unauthenticated_cap_defaults_to_half_the_total_and_never_exceeds_it()
    {
        Assert.Equal(500, Gate(new()).UnauthenticatedLimit);
        Assert.Equal(1, Gate(new() { MaxConnections = 1 }).UnauthenticatedLimit);
        Assert.Equal(10, Gate(new() { MaxConnections = 10, MaxUnauthenticatedConnections = 50 }).UnauthenticatedLimit);
        Assert.Equal(0, Gate(new() { MaxConnections = 10, MaxUnauthenticatedConnections = 0 }).UnauthenticatedLimit);
        Assert.Equal(0, Gate(new() { MaxConnections = 0 }).UnauthenticatedLimit);
    }

    [Theory]
    [InlineData(0, 60)]
    [InlineData(250, 60)]
    [InlineData(300, 50)]
    [InlineData(375, 35)]
    [InlineData(450, 20)]
    [InlineData(500, 10)]
    [InlineData(900, 10)]
    public void The_pre_login_timeout_falls_from_half_the_pool_in_a_straight_line_to_the_minimum(int unauthenticated, int seconds)
    {
        var gate = Gate(new() { MaxConnections = 1000, MaxUnauthenticatedConnections = 500, MinAuthorizationTimeout = TimeSpan.FromSeconds(10) });
        Assert.Equal(TimeSpan.FromSeconds(seconds), gate.AuthorizationTimeoutAt(unauthenticated));
    }

    [Fact]
    public void Under_pressure_connections_older_than_the_shortened_timeout_are_closed_oldest_first()
    {
        var gate = Gate(new() { MaxConnections = 100, MaxUnauthenticatedConnections = 4, MinAuthorizationTimeout = TimeSpan.FromSeconds(10) });
        var first = Admit(gate, "192.0.2.1");
        var second = Admit(gate, "192.0.2.2");
        _time.Advance(TimeSpan.FromSeconds(20));

        // Three of four: the timeout is 35 s, and 20 s is not over it.
        var third = Admit(gate, "192.0.2.3");
        Assert.Empty(_evicted);
        Assert.Equal(TimeSpan.FromSeconds(35), gate.AuthorizationTimeout);

        // Four of four: 10 s, and all three are at least that old.
        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.True(Admit(gate, "192.0.2.4").IsAdmitted);
        Assert.Equal([first, second, third], _evicted);
        Assert.Equal("-ERR Autologout; idle for too long\r\n"u8.ToArray(), first.EvictionReply.ToArray());
        Assert.Equal(1, gate.UnauthenticatedConnections);
    }

    [Fact]
    public void Each_eviction_and_refusal_is_logged_with_the_address_and_reason_and_counted()
    {
        var logger = new FakeLogger<Pop3ConnectionGate>();
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var meters = services.GetRequiredService<IMeterFactory>();
        using var evictions = new MetricCollector<long>(meters, Pop3Metrics.MeterName, "pop3.connections.evicted");
        using var refusals = new MetricCollector<long>(meters, Pop3Metrics.MeterName, "pop3.connections.refused");
        using var waiting = new MetricCollector<int>(meters, Pop3Metrics.MeterName, "pop3.connections.unauthenticated");
        var gate = Gate(new() { MaxConnections = 1, MaxUnauthenticatedConnections = 1 }, logger, meters);

        Admit(gate, "192.0.2.1");
        waiting.RecordObservableInstruments();
        Assert.Equal(1, waiting.LastMeasurement!.Value);
        Admit(gate, "192.0.2.2");
        _leases[^1].Authenticated();
        Admit(gate, "192.0.2.3");

        var lines = logger.Collector.GetSnapshot().Select(r => r.Message).ToArray();
        Assert.Equal(["Connection from 192.0.2.1 evicted: TooManyUnauthenticated (connection c0)", "Connection from 192.0.2.3 refused: TooManyConnections"], lines);
        var evicted = Assert.Single(evictions.GetMeasurementSnapshot());
        Assert.Equal("too_many_unauthenticated", evicted.Tags["pop3.reason"]);
        var refused = Assert.Single(refusals.GetMeasurementSnapshot());
        Assert.Equal("too_many_connections", refused.Tags["pop3.reason"]);
    }
}
