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

    public static HashSet<string> AllSeries() =>
        [.. GatewayMetrics.Instruments.SelectMany(Series)];
}
