namespace ModelGateway.Routing.Capacity;

/// <summary>One deployment's load as routing saw it: the gateway's in-flight count and, when fresh, the server's metrics.</summary>
internal readonly record struct LoadFigures(int InFlight, ServerLoad? Server, MetricsState MetricsState, double? MetricsAgeMs);

/// <summary>Whether the server's metrics are being read.</summary>
internal enum MetricsState
{
    /// <summary>The deployment has no metrics endpoint: in-flight counts only.</summary>
    None,

    /// <summary>Not read yet.</summary>
    Pending,

    /// <summary>The last read succeeded and is fresh.</summary>
    Ok,

    /// <summary>The endpoint is down, slow, returns something else, or the last good read is stale: in-flight counts only.</summary>
    Failing,
}
