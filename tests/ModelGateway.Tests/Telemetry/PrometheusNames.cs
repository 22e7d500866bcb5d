using ModelGateway.Telemetry;

namespace ModelGateway.Tests.Telemetry;

/// <summary>
/// The Prometheus series names of the gateway's instruments, derived from <see cref="GatewayMetrics.Instruments"/>
/// with the exporter's default translation (dots to underscores, unit suffix, <c>_total</c> on counters). The
/// Prometheus test checks this derivation against a real scrape.
/// </summary>
internal static class PrometheusNames
{
    /// <summary>The family name as in <c># TYPE</c> lines.</summary>
    public static string Family(InstrumentDescriptor instrument)
    {
        var name = instrument.Name.Replace('.', '_');
        var unit = instrument.Unit switch
        {
            "s" => "seconds",
            "ms" => "milliseconds",
            "By" => "bytes",
            _ when instrument.Unit.StartsWith('{') => string.Empty,
            _ => instrument.Unit,
        };
        if (unit.Length > 0 && !name.EndsWith("_" + unit, StringComparison.Ordinal))
        {
            name += "_" + unit;
        }

        return instrument.Kind is InstrumentKind.Counter or InstrumentKind.ObservableCounter ? name + "_total" : name;
    }

    /// <summary>Every series name a query may use: the family, plus _bucket/_sum/_count for histograms.</summary>
    public static IEnumerable<string> Series(InstrumentDescriptor instrument)
    {
        var family = Family(instrument);
        if (instrument.Kind == InstrumentKind.Histogram)
        {
            return [family + "_bucket", family + "_sum", family + "_count"];
        }

        return [family];
    }

    /// <summary>Every series the gateway exports: its own instruments and the runtime ones.</summary>
    public static HashSet<string> AllSeries() =>
        [.. GatewayMetrics.Instruments.SelectMany(Series), .. ModelGateway.Experiments.ExperimentMetrics.Instruments.SelectMany(Series), .. RuntimeSeries()];

    /// <summary>
    /// Families of the runtime, process and ASP.NET Core instrumentation the gateway exports with its own (the gateway
    /// health row); histograms marked. The Prometheus test checks each against a real scrape.
    /// </summary>
    public static readonly (string Family, bool Histogram)[] Runtime =
    [
        ("process_cpu_time_seconds_total", false),
        ("process_memory_usage_bytes", false),
        ("dotnet_gc_last_collection_heap_size_bytes", false),
        ("dotnet_gc_pause_time_seconds_total", false),
        ("dotnet_gc_collections_total", false),
        ("dotnet_thread_pool_thread_count_total", false),
        ("dotnet_thread_pool_queue_length_total", false),
        ("http_server_request_duration_seconds", true),
        ("kestrel_active_connections", false),
    ];

    public static IEnumerable<string> RuntimeSeries() =>
        Runtime.SelectMany(r => r.Histogram ? [r.Family + "_bucket", r.Family + "_sum", r.Family + "_count"] : new[] { r.Family });
}
