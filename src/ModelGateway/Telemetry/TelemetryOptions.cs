namespace ModelGateway.Telemetry;

/// <summary>
/// The <c>ModelGateway:Telemetry</c> section. Read once at start-up (exporters cannot be swapped on a running
/// host); metrics are always collected in-process, and nothing leaves the process unless an exporter is switched on.
/// </summary>
public sealed class TelemetryOptions
{
    public const string SectionName = "ModelGateway:Telemetry";

    public PrometheusEndpointOptions Prometheus { get; init; } = new();

    public OtlpExporterSettings Otlp { get; init; } = new();

    public TracingOptions Tracing { get; init; } = new();

    /// <summary>The closed model the gateway's traffic is compared against; no savings are reported when unset.</summary>
    public BaselinePriceOptions Baseline { get; init; } = new();
}

public sealed class PrometheusEndpointOptions
{
    /// <summary>Serves the scrape endpoint. Off by default: it shows spend by team to anyone who can reach it.</summary>
    public bool Enabled { get; set; }

    public string Path { get; set; } = "/metrics";

    /// <summary>
    /// When set, scrapes are answered only on connections to this local port, and that port answers nothing else.
    /// The port must also be one Kestrel listens on (e.g. <c>--urls "http://0.0.0.0:8080;http://127.0.0.1:9464"</c>).
    /// </summary>
    public int? Port { get; set; }
}

public sealed class OtlpExporterSettings
{
    /// <summary>The collector, e.g. <c>http://otel-collector:4317</c>. Unset means no OTLP export.</summary>
    public string? Endpoint { get; set; }

    /// <summary><c>grpc</c> (default) or <c>http/protobuf</c>.</summary>
    public string Protocol { get; set; } = "grpc";
}

public sealed class TracingOptions
{
    /// <summary>Records spans. Defaults to on when an OTLP endpoint is configured, off otherwise.</summary>
    public bool? Enabled { get; set; }
}

public sealed class BaselinePriceOptions
{
    /// <summary>A short name for the baseline, e.g. <c>gpt-4.1</c>; it becomes the <c>baseline</c> label.</summary>
    public string? Name { get; set; }

    public decimal? InputPerMillion { get; set; }

    public decimal? CachedInputPerMillion { get; set; }

    public decimal? OutputPerMillion { get; set; }
}
