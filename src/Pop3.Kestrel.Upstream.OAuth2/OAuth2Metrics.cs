using System.Diagnostics;
using System.Diagnostics.Metrics;
using Pop3.Kestrel.Hosting;

namespace Pop3.Kestrel.Upstream.OAuth2;

/// <summary>
/// Token instruments on the server's <c>Pop3.Kestrel</c> meter, so the admin listener's Prometheus endpoint shows them.
/// Alert on <c>pop3_upstream_oauth2_reconnect_required_total</c> rising: a user's mail stops until they connect again.
/// </summary>
internal sealed class OAuth2Metrics
{
    private static readonly double[] Buckets = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

    private readonly Counter<long> _requests;
    private readonly Counter<long> _reconnectRequired;
    private readonly Histogram<double> _duration;

    private readonly Meter _meter;

    public OAuth2Metrics(IMeterFactory meters)
    {
        var meter = _meter = meters.Create(Pop3ServerOptions.MeterName);
        _requests = meter.CreateCounter<long>("pop3.upstream.oauth2.token_requests", "{request}",
            "Token requests to the authorization server, by grant (client_credentials, refresh_token, authorization_code) and result (ok, refused, unavailable).");
        _reconnectRequired = meter.CreateCounter<long>("pop3.upstream.oauth2.reconnect_required", "{login}",
            "Logins refused because the user's refresh token was refused or missing: the mailbox must be connected again.");
        _duration = meter.CreateHistogram("pop3.upstream.oauth2.token_request.duration", "s", "Time of one token request.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = Buckets });
    }

    /// <summary>Publishes the time until the soonest-expiring cached access token expires.</summary>
    public void WatchExpiry(Func<TimeSpan?> soonest) =>
        _meter.CreateObservableGauge("pop3.upstream.oauth2.access_token.remaining", () => soonest() is { } remaining
            ? [new Measurement<double>(remaining.TotalSeconds)]
            : Array.Empty<Measurement<double>>(), "s", "Seconds until the soonest-expiring cached access token expires (absent without one).");

    public void TokenRequest(string grant, string result, TimeSpan elapsed)
    {
        var tags = new TagList { { "oauth2.grant", grant }, { "oauth2.result", result } };
        _requests.Add(1, tags);
        _duration.Record(elapsed.TotalSeconds, tags);
    }

    public void ReconnectRequired(string reason) =>
        _reconnectRequired.Add(1, new KeyValuePair<string, object?>("oauth2.reason", reason));
}
