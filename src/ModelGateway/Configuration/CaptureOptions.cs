namespace ModelGateway.Configuration;

/// <summary>
/// The <c>Capture</c> section: the limits on distillation dataset capture. Capture itself is opted into per routing
/// rule, key or team (their <c>Capture</c> field); this section says what may be kept and for how long.
/// </summary>
public sealed class CaptureOptions
{
    /// <summary>The most sensitive level a captured request may have: <c>public</c> (the default), <c>internal</c>, <c>confidential</c> or <c>restricted</c>.</summary>
    public string MaxSensitivity { get; set; } = "public";

    /// <summary>Replace what the detectors match (in prompts, tool calls and answers) with <c>[REDACTED:name]</c> before storing.</summary>
    public bool Redact { get; set; } = true;

    /// <summary>Captured pairs older than this many days are deleted; 0 keeps them until deleted by hand.</summary>
    public int RetentionDays { get; set; } = CaptureSettings.DefaultRetentionDays;

    /// <summary>The largest answer (bytes as the client received them) captured; a larger one is not captured, and counted.</summary>
    public int MaxResponseBytes { get; set; } = CaptureSettings.DefaultMaxResponseBytes;

    /// <summary>
    /// Bytes of requests and answers waiting for the background writer; beyond this a pair is dropped (and counted),
    /// never waited for. Read at start-up.
    /// </summary>
    public long QueueBytes { get; set; } = CaptureSettings.DefaultQueueBytes;
}
