using System.Globalization;
using ModelGateway.Providers.Dialects;

namespace ModelGateway.Routing.Capacity;

/// <summary>
/// Reads the three load gauges out of Prometheus text. A server with several engines (data parallel) writes one
/// line per engine: they are summed (running, waiting) or the largest kept (KV-cache use).
/// </summary>
internal static class PrometheusGauges
{
    /// <summary>False when the text does not carry the running and waiting gauges (an HTML page, garbage, another server).</summary>
    public static bool TryRead(string text, LoadGauges gauges, long timestamp, out ServerLoad load)
    {
        double running = 0, waiting = 0, kv = 0;
        bool sawRunning = false, sawWaiting = false;
        foreach (var rawLine in text.AsSpan().EnumerateLines())
        {
            var line = rawLine.Trim();
            if (line.IsEmpty || line[0] == '#')
            {
                continue;
            }

            if (Matches(line, gauges.Running, out var value))
            {
                running += value;
                sawRunning = true;
            }
            else if (Matches(line, gauges.Waiting, out value))
            {
                waiting += value;
                sawWaiting = true;
            }
            else if (Matches(line, gauges.KvCacheUsage, out value)
                || (gauges.KvCacheUsageLegacy is { } legacy && Matches(line, legacy, out value)))
            {
                kv = Math.Max(kv, value);
            }
        }

        load = new ServerLoad(running, waiting, kv, timestamp);
        return sawRunning && sawWaiting;
    }

    private static bool Matches(ReadOnlySpan<char> line, string name, out double value)
    {
        value = 0;
        if (!line.StartsWith(name, StringComparison.Ordinal) || line.Length == name.Length)
        {
            return false;
        }

        var rest = line[name.Length..];
        if (rest[0] == '{')
        {
            var close = rest.IndexOf('}');
            if (close < 0)
            {
                return false;
            }

            rest = rest[(close + 1)..];
        }
        else if (rest[0] != ' ' && rest[0] != '\t')
        {
            return false; // another metric whose name starts with this one
        }

        rest = rest.Trim();
        var space = rest.IndexOfAny(' ', '\t');
        if (space >= 0)
        {
            rest = rest[..space]; // a timestamp follows
        }

        return double.TryParse(rest, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && double.IsFinite(value) && value >= 0;
    }
}
