namespace ModelGateway.Routing.Canaries;

/// <summary>What the guard window holds: the candidate's attempts and errors, latency and TTFT percentiles, experiment pairs and agreement.</summary>
internal sealed record CanaryFigures(int Requests, int Errors, double? ErrorRate, double? P95LatencyMs, double? P95TtftMs, int Pairs, double? Agreement)
{
    /// <summary>The first breached guard: its name, the figure and the limit; null when every guard holds or too little is known.</summary>
    public CanaryBreach? Breach(CanaryGuards guards)
    {
        if (Requests >= guards.MinRequests)
        {
            if (guards.MaxErrorRate is { } maxErrors && ErrorRate > maxErrors)
            {
                return new CanaryBreach("maxErrorRate", ErrorRate.Value, maxErrors, Requests);
            }

            if (guards.MaxP95LatencyMs is { } maxLatency && P95LatencyMs > maxLatency)
            {
                return new CanaryBreach("maxP95LatencyMs", P95LatencyMs.Value, maxLatency, Requests);
            }

            if (guards.MaxTtftMs is { } maxTtft && P95TtftMs > maxTtft)
            {
                return new CanaryBreach("maxTtftMs", P95TtftMs.Value, maxTtft, Requests);
            }
        }

        if (guards.MinAgreement is { } minAgreement && Pairs >= guards.MinRequests && Agreement < minAgreement)
        {
            return new CanaryBreach("minAgreement", Agreement.Value, minAgreement, Pairs);
        }

        return null;
    }
}
