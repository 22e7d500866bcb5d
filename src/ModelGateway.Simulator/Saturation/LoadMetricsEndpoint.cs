using System.Globalization;
using System.Text;
using Microsoft.Extensions.Options;
using ModelGateway.Simulator.Dialects;

namespace ModelGateway.Simulator.Saturation;

/// <summary>
/// <c>GET /metrics</c> of a simulated self-hosted server, in its dialect's Prometheus format (vLLM, SGLang or
/// llama.cpp gauges for running, queued and KV-cache use), reflecting the real queue of the <see cref="CapacityGate"/>.
/// Other dialects have no such endpoint (404).
/// </summary>
internal static class LoadMetricsEndpoint
{
    public const string Path = "/metrics";

    public static void MapLoadMetrics(this WebApplication app) => app.MapGet(Path, WriteAsync);

    private static async Task WriteAsync(HttpContext context, CapacityGate gate, IOptions<SimulatorOptions> options, TimeProvider timeProvider)
    {
        var dialect = SimulatedDialect.All[options.Value.Dialect];
        if (dialect.Metrics == MetricsFormat.None)
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        switch (gate.MetricsFault)
        {
            case MetricsFault.Down:
                context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                return;
            case MetricsFault.Slow:
                await Task.Delay(TimeSpan.FromSeconds(10), timeProvider, context.RequestAborted);
                break;
            case MetricsFault.Garbage:
                context.Response.ContentType = "text/html";
                await context.Response.WriteAsync("<html><body>502 Bad Gateway</body></html>\n\u0000\u0001 not metrics", context.RequestAborted);
                return;
        }

        context.Response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
        await context.Response.WriteAsync(Format(dialect.Metrics, gate.Snapshot(), options.Value.Name), context.RequestAborted);
    }

    internal static string Format(MetricsFormat format, LoadSnapshot load, string model)
    {
        var (running, waiting, kv, labels) = format switch
        {
            MetricsFormat.Vllm => ("vllm:num_requests_running", "vllm:num_requests_waiting", "vllm:kv_cache_usage_perc", $"engine=\"0\",model_name=\"{model}\""),
            MetricsFormat.Sglang => ("sglang:num_running_reqs", "sglang:num_queue_reqs", "sglang:token_usage", $"model_name=\"{model}\""),
            _ => ("llamacpp:requests_processing", "llamacpp:requests_deferred", "llamacpp:kv_cache_usage_ratio", ""),
        };
        var text = new StringBuilder();
        Gauge(text, running, "Requests being served.", labels, load.Running);
        Gauge(text, waiting, "Requests waiting to be served.", labels, load.Waiting);
        Gauge(text, kv, "KV-cache usage. 1 means 100 percent usage.", labels, load.KvCacheUsage);
        return text.ToString();
    }

    private static void Gauge(StringBuilder text, string name, string help, string labels, double value)
    {
        var invariant = CultureInfo.InvariantCulture;
        text.Append(invariant, $"# HELP {name} {help}\n# TYPE {name} gauge\n");
        text.Append(name);
        if (labels.Length > 0)
        {
            text.Append('{').Append(labels).Append('}');
        }

        text.Append(' ').Append(value.ToString("0.0###", invariant)).Append('\n');
    }
}
