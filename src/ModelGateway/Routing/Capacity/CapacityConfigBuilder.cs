using ModelGateway.Configuration;
using ModelGateway.Providers.Dialects;

namespace ModelGateway.Routing.Capacity;

/// <summary>Validates <see cref="CapacityOptions"/> against the deployment's provider and its dialect.</summary>
internal static class CapacityConfigBuilder
{
    private static readonly TimeSpan MinPollInterval = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan MaxPollInterval = TimeSpan.FromMinutes(1);

    public static CapacityConfig? Build(string prefix, CapacityOptions? options, ProviderOptions? provider, List<string> errors)
    {
        if (options is null || (options.MaxInFlight is null && options.MaxWaiting is null && options.MaxKvCacheUsage is null
            && options.MetricsUrl is null && options.PollInterval is null))
        {
            return null;
        }

        prefix += ":Capacity";
        if (options.MaxInFlight is < 1 || options.MaxWaiting is < 0)
        {
            errors.Add($"{prefix}: MaxInFlight must be at least 1 and MaxWaiting at least 0.");
        }

        if (options.MaxKvCacheUsage is { } kv && (double.IsNaN(kv) || kv <= 0 || kv > 1))
        {
            errors.Add($"{prefix}:MaxKvCacheUsage must be a share above 0 and at most 1 (e.g. 0.95).");
        }

        var interval = options.PollInterval ?? CapacityConfig.DefaultPollInterval;
        if (interval < MinPollInterval || interval > MaxPollInterval)
        {
            errors.Add($"{prefix}:PollInterval must be between 00:00:00.1 and 00:01:00.");
        }

        var metricsUrl = MetricsUrl(prefix, options, provider, errors);
        if ((options.MaxWaiting is not null || options.MaxKvCacheUsage is not null) && metricsUrl is null)
        {
            errors.Add($"{prefix}: MaxWaiting and MaxKvCacheUsage are read from the server's metrics, and this provider's dialect publishes none "
                + "(vllm, sglang and llamacpp do); use MaxInFlight, or set the provider's Dialect.");
        }

        return new CapacityConfig
        {
            MaxInFlight = options.MaxInFlight,
            MaxWaiting = options.MaxWaiting,
            MaxKvCacheUsage = options.MaxKvCacheUsage,
            MetricsUrl = metricsUrl,
            PollInterval = interval,
        };
    }

    private static Uri? MetricsUrl(string prefix, CapacityOptions options, ProviderOptions? provider, List<string> errors)
    {
        if (provider is null || !Uri.TryCreate(provider.BaseUrl?.TrimEnd('/'), UriKind.Absolute, out var baseUrl))
        {
            return null;
        }

        _ = ConfigNames.TryParseKind(provider.Kind, out var kind);
        var dialect = provider.Dialect is null ? DialectNames.Default(kind, baseUrl) : DialectNames.TryParse(provider.Dialect, out var named) ? named : ProviderDialect.OpenAi;
        var gauges = DialectProfiles.For(dialect).Load;
        if (options.MetricsUrl is { } explicitUrl)
        {
            if (!Uri.TryCreate(explicitUrl, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
            {
                errors.Add($"{prefix}:MetricsUrl must be an absolute http or https URL.");
                return null;
            }

            if (gauges is null)
            {
                errors.Add($"{prefix}:MetricsUrl needs a provider Dialect whose metrics format is known: vllm, sglang or llamacpp.");
                return null;
            }

            return url;
        }

        return gauges is null ? null : new Uri(baseUrl, gauges.Path);
    }
}
