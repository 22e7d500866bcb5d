namespace ModelGateway.Quotas;

/// <summary>The validated <see cref="QuotaOptions"/>.</summary>
public sealed record QuotaSettings
{
    public static readonly QuotaSettings Default = new();

    public string? Redis { get; init; }

    public string KeyPrefix { get; init; } = "{mg}:";

    public bool FailClosed { get; init; }

    public TimeSpan RedisTimeout { get; init; } = TimeSpan.FromMilliseconds(250);

    public TimeSpan Window { get; init; } = TimeSpan.FromMinutes(1);

    public int DefaultMaxOutputTokens { get; init; } = 4096;

    public TimeSpan ReservationTimeout { get; init; } = TimeSpan.FromMinutes(10);

    public bool UseTokenizer { get; init; } = true;
}
