using System.Diagnostics.Metrics;
using ModelGateway.Telemetry;

namespace ModelGateway.Accounting;

/// <summary>The ledger's own instruments: rows written, rows dropped (queue or spool full), queue and spool depth.</summary>
internal sealed class LedgerMetrics
{
    private readonly Counter<long> _written;
    private readonly Counter<long> _dropped;

    public LedgerMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(GatewayMetrics.MeterName);
        _written = meter.CreateCounter<long>("modelgateway.ledger.rows.written", "{row}", "Request-log rows committed to the ledger database (retried duplicates not counted).");
        _dropped = meter.CreateCounter<long>("modelgateway.ledger.rows.dropped", "{row}", "Request-log rows lost because the in-memory queue or the outage spool was full.");
        meter.CreateObservableGauge("modelgateway.ledger.spool.depth", () => SpoolDepth?.Invoke() ?? 0, "{row}", "Rows waiting in the local spool for the database to return.");
        meter.CreateObservableGauge("modelgateway.ledger.queue.depth", () => QueueDepth?.Invoke() ?? 0, "{row}", "Rows waiting in memory for the background writer.");
    }

    public Func<long>? SpoolDepth { get; set; }

    public Func<long>? QueueDepth { get; set; }

    public void Written(int rows)
    {
        if (rows > 0)
        {
            _written.Add(rows);
        }
    }

    public void Dropped(int rows, string stage)
    {
        if (rows > 0)
        {
            _dropped.Add(rows, new KeyValuePair<string, object?>("stage", stage));
        }
    }
}
