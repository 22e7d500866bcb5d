namespace ModelGateway.Simulator.Saturation;

/// <summary>How <c>GET /metrics</c> misbehaves, set with <c>PUT /_sim/metrics-fault/{mode}</c>.</summary>
public enum MetricsFault
{
    /// <summary>Serves the real load.</summary>
    None,

    /// <summary>503 with an empty body.</summary>
    Down,

    /// <summary>Answers after 10 seconds (a poller with a shorter timeout gives up).</summary>
    Slow,

    /// <summary>200 with a body that is not Prometheus text.</summary>
    Garbage,
}
