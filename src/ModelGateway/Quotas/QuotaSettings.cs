using ModelGateway.Configuration;

namespace ModelGateway.Quotas;

/// <summary>The validated <see cref="QuotaOptions"/>.</summary>
public sealed record QuotaSettings
{
    public static readonly QuotaSettings Default = new();

    public string? Redis { get; init; }

    /// <summary>The password read from <see cref="QuotaOptions.RedisPassword"/>; printing it shows only the reference.</summary>
    public ProviderCredential? RedisPassword { get; init; }

    public RedisTlsSettings RedisTls { get; init; } = RedisTlsSettings.None;

    public string KeyPrefix { get; init; } = "mg:";

    public bool FailClosed { get; init; }

    public TimeSpan RedisTimeout { get; init; } = TimeSpan.FromMilliseconds(250);

    public TimeSpan Window { get; init; } = TimeSpan.FromMinutes(1);

    public int DefaultMaxOutputTokens { get; init; } = 4096;

    public TimeSpan ReservationTimeout { get; init; } = TimeSpan.FromMinutes(10);

    public bool UseTokenizer { get; init; } = true;
}

/// <summary>The validated <see cref="RedisTlsOptions"/>: file paths only, read when connecting.</summary>
public sealed record RedisTlsSettings(bool Enabled, string? CaCertificate, string? ClientCertificate, string? ClientKey)
{
    public static readonly RedisTlsSettings None = new(false, null, null, null);
}
