using System.Text.Json;

namespace ModelGateway.Routing.Capacity;

/// <summary>The <c>load</c> object of an explained candidate: the figures routing used and whether it was passed over.</summary>
internal static class LoadExplanation
{
    public static void Write(Utf8JsonWriter writer, in CandidateVerdict verdict)
    {
        var load = verdict.Load;
        writer.WriteStartObject("load"u8);
        writer.WriteNumber("in_flight"u8, load.InFlight);
        writer.WriteString("metrics"u8, load.MetricsState switch
        {
            MetricsState.None => "none",
            MetricsState.Pending => "pending",
            MetricsState.Ok => "ok",
            _ => "failing",
        });
        if (load.Server is { } server)
        {
            writer.WriteNumber("running"u8, server.Running);
            writer.WriteNumber("waiting"u8, server.Waiting);
            writer.WriteNumber("kv_cache_usage"u8, Math.Round(server.KvCacheUsage, 4));
        }

        if (load.MetricsAgeMs is { } age)
        {
            writer.WriteNumber("metrics_age_ms"u8, Math.Round(age, 1));
        }

        writer.WriteBoolean("saturated"u8, verdict.Saturated is not null);
        if (verdict.Saturated is { } reason)
        {
            writer.WriteString("skipped_because"u8, reason);
        }

        writer.WriteEndObject();
    }
}
