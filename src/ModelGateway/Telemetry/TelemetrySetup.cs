using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using ModelGateway.Providers;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using ModelGateway.Pipeline;
using ModelGateway.Routing;

namespace ModelGateway.Telemetry;

/// <summary>
/// Wires metrics, traces and exporters. Instruments always record in-process (cheap when nobody listens); the
/// OpenTelemetry SDK is added only when an exporter or tracing is switched on.
/// </summary>
internal static class TelemetrySetup
{
    public const string ServiceName = "modelgateway";

    public static void AddGatewayTelemetry(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        var section = builder.Configuration.GetSection(TelemetryOptions.SectionName);
        services.AddOptions<TelemetryOptions>().Bind(section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<TelemetryOptions>, TelemetryOptionsValidator>();

        services.TryAddSingleton<ICircuitStateSource, NoCircuitStateSource>();
        services.TryAddSingleton<IQuotaRemainingSource, NoQuotaRemainingSource>();
        services.AddSingleton<GatewayMetrics>();
        services.AddSingleton<IUpstreamAttemptListener, TelemetryAttemptListener>();
        services.AddSingleton<IRequestCompletionListener, TelemetryRequestListener>();

        // Exporters are chosen once, from the configuration as it is at start-up.
        var options = section.Get<TelemetryOptions>() ?? new TelemetryOptions();
        Uri? otlp = Uri.TryCreate(options.Otlp.Endpoint, UriKind.Absolute, out var endpoint) ? endpoint : null;
        var protocol = OtlpProtocols.TryParse(options.Otlp.Protocol, out var parsed) ? parsed : OtlpExportProtocol.Grpc;
        var exportMetrics = options.Prometheus.Enabled || otlp is not null;
        var tracing = options.Tracing.Enabled ?? otlp is not null;
        if (!exportMetrics && !tracing)
        {
            return;
        }

        var telemetry = services.AddOpenTelemetry().ConfigureResource(resource => resource.AddService(ServiceName));
        if (exportMetrics)
        {
            telemetry.WithMetrics(metrics =>
            {
                metrics.AddMeter(GatewayMetrics.MeterName, Quotas.QuotaMetrics.MeterName);

                // The gateway-health row of the dashboards: GC, heap, thread pool, CPU, memory, HTTP server and connections.
                metrics.AddRuntimeInstrumentation();
                metrics.AddProcessInstrumentation();
                metrics.AddAspNetCoreInstrumentation();
                if (options.Prometheus.Enabled)
                {
                    metrics.AddPrometheusExporter();
                }

                if (otlp is not null)
                {
                    metrics.AddOtlpExporter(o => Configure(o, otlp, protocol, "/v1/metrics"));
                }
            });
        }

        if (tracing)
        {
            var metricsPath = options.Prometheus.Path;
            telemetry.WithTracing(traces =>
            {
                traces.AddSource(GatewayTracing.SourceName);
                traces.AddAspNetCoreInstrumentation(o => o.Filter = context => IsTraced(context.Request.Path, metricsPath));
                if (otlp is not null)
                {
                    traces.AddOtlpExporter(o => Configure(o, otlp, protocol, "/v1/traces"));
                }
            });
        }
    }

    /// <summary>Adds the scrape endpoint ahead of the gateway's own middleware (scrapes are not client requests).</summary>
    public static void UseGatewayTelemetry(this WebApplication app)
    {
        var prometheus = app.Services.GetRequiredService<IOptions<TelemetryOptions>>().Value.Prometheus;
        if (!prometheus.Enabled)
        {
            return;
        }

        var path = new PathString(prometheus.Path);
        var port = prometheus.Port;
        app.UseOpenTelemetryPrometheusScrapingEndpoint(
            meterProvider: null,
            predicate: context => context.Request.Path == path && (port is null || context.Connection.LocalPort == port),
            path: null,
            configureBranchedPipeline: null,
            optionsName: null);

        if (port is not null)
        {
            // The metrics port serves metrics only, so exposing it to a monitoring network exposes nothing else.
            app.Use((context, next) =>
            {
                if (context.Connection.LocalPort != port)
                {
                    return next(context);
                }

                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return Task.CompletedTask;
            });
        }
    }

    private static bool IsTraced(PathString path, string metricsPath) =>
        !path.StartsWithSegments(metricsPath) && !path.StartsWithSegments("/healthz") && !path.StartsWithSegments("/readyz");

    private static void Configure(OtlpExporterOptions exporter, Uri endpoint, OtlpExportProtocol protocol, string signalPath)
    {
        exporter.Protocol = protocol;
        exporter.Endpoint = OtlpProtocols.SignalEndpoint(endpoint, protocol, signalPath);
    }
}
