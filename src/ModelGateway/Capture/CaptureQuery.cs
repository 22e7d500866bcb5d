using ModelGateway.Sensitivity;

namespace ModelGateway.Capture;

/// <summary>Which captured pairs an export or manifest covers: a time range, optionally one key, team or model, up to a level.</summary>
internal sealed record CaptureQuery(DateTimeOffset From, DateTimeOffset To)
{
    public string? KeyId { get; init; }

    public string? TeamId { get; init; }

    public string? Model { get; init; }

    public SensitivityLevel MaxLevel { get; init; } = SensitivityLevel.Restricted;
}
