using ModelGateway.Sensitivity;

namespace ModelGateway.Configuration;

/// <summary>The validated <c>Capture</c> section, plus whether anything opted in (the request path's one check).</summary>
public sealed record CaptureSettings
{
    public const int DefaultRetentionDays = 30;
    public const int DefaultMaxResponseBytes = 1024 * 1024;
    public const long DefaultQueueBytes = 64L * 1024 * 1024;

    public static CaptureSettings Off { get; } = new();

    /// <summary>Some routing rule, key or team has <c>Capture: true</c>; when false, requests never look further.</summary>
    public bool AnyOptIn { get; init; }

    public SensitivityLevel MaxLevel { get; init; } = SensitivityLevel.Public;

    public bool Redact { get; init; } = true;

    public int RetentionDays { get; init; } = DefaultRetentionDays;

    public int MaxResponseBytes { get; init; } = DefaultMaxResponseBytes;

    public long QueueBytes { get; init; } = DefaultQueueBytes;
}
