using System.Collections.Immutable;
using ModelGateway.Configuration;

namespace ModelGateway.Quotas;

/// <summary>
/// Validates teams, the quota fields of keys and the <c>Quotas</c> section; called by <see cref="GatewayConfigBuilder"/>
/// with its error list, so quota mistakes are reported together with every other configuration problem.
/// </summary>
internal static class QuotaConfigBuilder
{
    private const decimal NanoPerUsd = 1_000_000_000m;
    private const decimal MaxUsd = 1_000_000m;

    public static (ImmutableDictionary<string, TeamConfig> Teams, QuotaSettings Settings) Build(
        GatewayOptions options, ImmutableDictionary<string, ClientKey>.Builder keys, Func<string, string?> environment, List<string> errors)
    {
        var teams = ImmutableDictionary.CreateBuilder<string, TeamConfig>(StringComparer.Ordinal);
        var models = ModelNames(options);
        foreach (var (id, team) in options.Teams)
        {
            var prefix = $"Teams:{id}";
            var perModel = ImmutableDictionary.CreateBuilder<string, QuotaLimits>(StringComparer.Ordinal);
            foreach (var (model, limits) in team.Models)
            {
                if (!models.Contains(model))
                {
                    errors.Add($"{prefix}:Models:{model}: '{model}' is not a model or alias served by any deployment.");
                }

                perModel[model] = Limits($"{prefix}:Models:{model}", limits, errors);
            }

            var keyDefaults = team.KeyDefaults is null ? null : Limits($"{prefix}:KeyDefaults", team.KeyDefaults, errors);
            teams[id] = new TeamConfig(id, Limits($"{prefix}:Limits", team.Limits, errors), perModel.ToImmutable(), keyDefaults) { Capture = team.Capture };
        }

        foreach (var (id, key) in options.Keys)
        {
            var prefix = $"Keys:{id}";
            TeamConfig? team = null;
            if (key.Team is not null && !teams.TryGetValue(key.Team, out team))
            {
                errors.Add($"{prefix}:Team '{key.Team}' is not a configured team.");
            }

            foreach (var model in key.AllowedModels)
            {
                if (!models.Contains(model))
                {
                    errors.Add($"{prefix}:AllowedModels '{model}' is not a model or alias served by any deployment.");
                }
            }

            var limits = key.Limits is null ? team?.KeyDefaults ?? QuotaLimits.None : Limits($"{prefix}:Limits", key.Limits, errors);
            if (keys.TryGetValue(id, out var built))
            {
                keys[id] = built with
                {
                    Team = key.Team,
                    ExpiresAt = key.ExpiresAt,
                    AllowedModels = [.. key.AllowedModels],
                    Limits = limits,
                    Capture = key.Capture,
                };
            }
        }

        return (teams.ToImmutable(), Settings(options.Quotas, environment, errors));
    }

    private static HashSet<string> ModelNames(GatewayOptions options)
    {
        var names = new HashSet<string>(options.Aliases.Keys, StringComparer.Ordinal);
        foreach (var deployment in options.Deployments.Values)
        {
            names.UnionWith(deployment.Models);
        }

        return names;
    }

    private static QuotaLimits Limits(string prefix, QuotaLimitsOptions options, List<string> errors)
    {
        if (options.RequestsPerMinute is < 0 || options.TokensPerMinute is < 0 || options.ConcurrentRequests is < 0)
        {
            errors.Add($"{prefix}: RequestsPerMinute, TokensPerMinute and ConcurrentRequests must not be negative.");
        }

        if (options.UsdPerDay is < 0 or > MaxUsd || options.UsdPerMonth is < 0 or > MaxUsd)
        {
            errors.Add($"{prefix}: UsdPerDay and UsdPerMonth must be between 0 and {MaxUsd}.");
            return QuotaLimits.None;
        }

        var limits = new QuotaLimits(
            options.RequestsPerMinute,
            options.TokensPerMinute,
            options.ConcurrentRequests,
            ToNano(options.UsdPerDay),
            ToNano(options.UsdPerMonth));
        return limits.IsUnlimited ? QuotaLimits.None : limits;
    }

    private static long? ToNano(decimal? usd) => usd is { } value ? (long)decimal.Floor(value * NanoPerUsd) : null;

    private static QuotaSettings Settings(QuotaOptions options, Func<string, string?> environment, List<string> errors)
    {
        var failClosed = false;
        switch (options.FailureMode)
        {
            case "fail-open": break;
            case "fail-closed": failClosed = true; break;
            default: errors.Add($"Quotas:FailureMode '{options.FailureMode}' is not one of: fail-open, fail-closed."); break;
        }

        var useTokenizer = true;
        switch (options.PromptEstimator)
        {
            case "tokenizer": break;
            case "bytes": useTokenizer = false; break;
            default: errors.Add($"Quotas:PromptEstimator '{options.PromptEstimator}' is not one of: tokenizer, bytes."); break;
        }

        if (options.RedisTimeout <= TimeSpan.Zero || options.RedisTimeout > TimeSpan.FromSeconds(30))
        {
            errors.Add("Quotas:RedisTimeout must be a positive duration of at most 30 seconds, e.g. \"00:00:00.250\".");
        }

        if (options.Window < TimeSpan.FromSeconds(1) || options.Window > TimeSpan.FromDays(1))
        {
            errors.Add("Quotas:Window must be between 1 second and 1 day.");
        }

        if (options.ReservationTimeout < TimeSpan.FromSeconds(1) || options.ReservationTimeout > TimeSpan.FromDays(1))
        {
            errors.Add("Quotas:ReservationTimeout must be between 1 second and 1 day.");
        }

        if (options.DefaultMaxOutputTokens is < 1 or > 10_000_000)
        {
            errors.Add("Quotas:DefaultMaxOutputTokens must be between 1 and 10000000.");
        }

        if (string.IsNullOrEmpty(options.KeyPrefix))
        {
            errors.Add("Quotas:KeyPrefix must not be empty.");
        }
        else if (options.KeyPrefix.AsSpan().IndexOfAny('{', '}') >= 0)
        {
            errors.Add($"Quotas:KeyPrefix '{options.KeyPrefix}' must not contain '{{' or '}}': the gateway puts each team's (or team-less key's) " +
                "quota keys in a Redis Cluster hash tag of its own, {<prefix>team:ID}, and braces in the prefix would end that tag early. Use e.g. 'mg:'.");
        }

        var redis = string.IsNullOrWhiteSpace(options.Redis) ? null : options.Redis;
        return new QuotaSettings
        {
            Redis = redis,
            RedisPassword = RedisConnection.Password("Quotas", options.Redis, options.RedisPassword, environment, errors),
            RedisTls = RedisConnection.Tls("Quotas:RedisTls", options.RedisTls, errors),
            KeyPrefix = options.KeyPrefix,
            FailClosed = failClosed,
            RedisTimeout = options.RedisTimeout,
            Window = options.Window,
            DefaultMaxOutputTokens = options.DefaultMaxOutputTokens,
            ReservationTimeout = options.ReservationTimeout,
            UseTokenizer = useTokenizer,
        };
    }
}
