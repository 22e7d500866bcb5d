using System.Diagnostics.Metrics;

namespace ModelGateway.Tests.Infrastructure;

/// <summary>
/// Sums one counter of one gateway (its own meter factory, so other gateways in this test process do not count),
/// optionally only the measurements carrying one tag value.
/// </summary>
internal sealed class CounterProbe : IDisposable
{
    private readonly MeterListener _listener = new();
    private long _total;

    public CounterProbe(GatewayHost gateway, string meter, string instrument, KeyValuePair<string, string>? tag = null)
    {
        var factory = gateway.Service<IMeterFactory>();
        _listener.InstrumentPublished = (i, listener) =>
        {
            if (i.Meter.Name == meter && i.Name == instrument && ReferenceEquals(i.Meter.Scope, factory))
            {
                listener.EnableMeasurementEvents(i);
            }
        };
        _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            if (tag is not { } wanted || Carries(tags, wanted))
            {
                Interlocked.Add(ref _total, value);
            }
        });
        _listener.Start();
    }

    public long Total => Interlocked.Read(ref _total);

    public void Dispose() => _listener.Dispose();

    private static bool Carries(ReadOnlySpan<KeyValuePair<string, object?>> tags, KeyValuePair<string, string> wanted)
    {
        foreach (var tag in tags)
        {
            if (tag.Key == wanted.Key && Equals(tag.Value, wanted.Value))
            {
                return true;
            }
        }

        return false;
    }
}
