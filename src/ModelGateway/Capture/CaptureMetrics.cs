using System.Diagnostics.Metrics;
using ModelGateway.Telemetry;

namespace ModelGateway.Capture;

/// <summary>Capture's instruments: what became of each request that opted in, and the bytes waiting for the writer.</summary>
internal sealed class CaptureMetrics
{
    private readonly Counter<long> _pairs;
    private readonly long[] _totals = new long[Enum.GetValues<CaptureResult>().Length];

    public CaptureMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(GatewayMetrics.MeterName);
        _pairs = meter.CreateCounter<long>("modelgateway.capture.pairs", "{pair}",
            "Requests that opted into dataset capture, by result (captured, or why not).");
        meter.CreateObservableGauge("modelgateway.capture.queue.bytes", () => QueueBytes?.Invoke() ?? 0, "By",
            "Bytes of captured requests and answers waiting for the background writer.");
    }

    public Func<long>? QueueBytes { get; set; }

    public void Record(CaptureResult result)
    {
        Interlocked.Increment(ref _totals[(int)result]);
        if (_pairs.Enabled)
        {
            _pairs.Add(1, new KeyValuePair<string, object?>("result", CaptureResults.Name(result)));
        }
    }

    /// <summary>How many requests ended with <paramref name="result"/> since start (this replica).</summary>
    public long Total(CaptureResult result) => Interlocked.Read(ref _totals[(int)result]);
}
