using Microsoft.Extensions.Options;

namespace ModelGateway.Telemetry;

/// <summary>Checks the telemetry section at start-up and lists every problem at once, with its configuration path.</summary>
internal sealed class TelemetryOptionsValidator : IValidateOptions<TelemetryOptions>
{
    private const string Prefix = "ModelGateway:Telemetry:";

    public ValidateOptionsResult Validate(string? name, TelemetryOptions options)
    {
        var errors = new List<string>();
        var prometheus = options.Prometheus;
        if (string.IsNullOrWhiteSpace(prometheus.Path) || prometheus.Path[0] != '/' || prometheus.Path.StartsWith("/v1", StringComparison.OrdinalIgnoreCase))
        {
            errors.Add($"{Prefix}Prometheus:Path '{prometheus.Path}' must start with '/' and must not be under /v1.");
        }

        if (prometheus.Port is < 1 or > 65535)
        {
            errors.Add($"{Prefix}Prometheus:Port must be between 1 and 65535.");
        }

        var otlp = options.Otlp;
        if (otlp.Endpoint is not null
            && (!Uri.TryCreate(otlp.Endpoint, UriKind.Absolute, out var endpoint) || (endpoint.Scheme != Uri.UriSchemeHttp && endpoint.Scheme != Uri.UriSchemeHttps)))
        {
            errors.Add($"{Prefix}Otlp:Endpoint '{otlp.Endpoint}' must be an absolute http or https URL.");
        }

        if (!OtlpProtocols.TryParse(otlp.Protocol, out _))
        {
            errors.Add($"{Prefix}Otlp:Protocol '{otlp.Protocol}' is not one of: grpc, http/protobuf.");
        }

        ValidateBaseline(options.Baseline, errors);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void ValidateBaseline(BaselinePriceOptions baseline, List<string> errors)
    {
        var any = baseline.Name is not null || baseline.InputPerMillion is not null || baseline.OutputPerMillion is not null || baseline.CachedInputPerMillion is not null;
        if (!any)
        {
            return;
        }

        if (string.IsNullOrWhiteSpace(baseline.Name) || baseline.Name.Length > 64)
        {
            errors.Add($"{Prefix}Baseline:Name is required (at most 64 characters) when a baseline price is set.");
        }

        if (baseline.InputPerMillion is null || baseline.OutputPerMillion is null)
        {
            errors.Add($"{Prefix}Baseline needs InputPerMillion and OutputPerMillion (USD per million tokens).");
        }
        else if (baseline.InputPerMillion < 0 || baseline.OutputPerMillion < 0 || baseline.CachedInputPerMillion < 0)
        {
            errors.Add($"{Prefix}Baseline prices must not be negative.");
        }
    }
}
