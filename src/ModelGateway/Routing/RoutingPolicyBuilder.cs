using System.Collections.Immutable;
using ModelGateway.Configuration;
using ModelGateway.Sensitivity;

namespace ModelGateway.Routing;

/// <summary>
/// Validates the <c>Routes</c>, <c>Sensitivity</c> and <c>Fallback</c> sections into a <see cref="RoutingPolicy"/>.
/// Called from <see cref="GatewayConfigBuilder"/>; adds every problem to the shared error list.
/// </summary>
internal static class RoutingPolicyBuilder
{
    public static RoutingPolicy? TryBuild(GatewayOptions options, ICollection<string> teamIds, List<string> errors)
    {
        var errorCount = errors.Count;
        var knownModels = new HashSet<string>(options.Aliases.Keys, StringComparer.Ordinal);
        foreach (var deployment in options.Deployments.Values)
        {
            knownModels.UnionWith(deployment.Models);
        }

        var rules = new List<RouteRule>();
        foreach (var (id, route) in options.Routes)
        {
            if (BuildRule(id, route, options, teamIds, knownModels, errors) is { } rule)
            {
                rules.Add(rule);
            }
        }

        var sensitivity = SensitivityPolicyBuilder.TryBuild(options.Sensitivity, options.Keys.Keys, teamIds, errors);
        var fallback = BuildFallback(options.Fallback, errors);
        if (errors.Count > errorCount)
        {
            return null;
        }

        return new RoutingPolicy
        {
            Rules = [.. rules.OrderBy(r => r.Order).ThenBy(r => r.Id, StringComparer.Ordinal)],
            Sensitivity = sensitivity!,
            Fallback = fallback,
        };
    }

    private static RouteRule? BuildRule(string id, RouteOptions route, GatewayOptions options, ICollection<string> teamIds, HashSet<string> knownModels, List<string> errors)
    {
        var prefix = $"Routes:{id}";
        var errorCount = errors.Count;
        var match = route.Match;

        var matched = BuildMatch(id, $"{prefix}:Match", match, options, teamIds, errors);
        foreach (var deployment in route.Deployments.Where(d => !options.Deployments.ContainsKey(d)))
        {
            errors.Add($"{prefix}:Deployments '{deployment}' is not a configured deployment.");
        }

        if (route.Deployments.Count == 0)
        {
            foreach (var model in match.Models.Where(m => !knownModels.Contains(m)))
            {
                errors.Add($"{prefix}:Match:Models '{model}' is not a served model or alias; a rule for a new name must list its Deployments.");
            }
        }

        TrustTier? minTrust = null;
        if (route.Constraints.MinTrust is { } trustName)
        {
            if (ConfigNames.TryParseTrust(trustName, out var tier))
            {
                minTrust = tier;
            }
            else
            {
                errors.Add($"{prefix}:Constraints:MinTrust '{trustName}' is not one of: self-hosted, contracted, public.");
            }
        }

        if (route.Constraints.MaxPricePerMillion is < 0)
        {
            errors.Add($"{prefix}:Constraints:MaxPricePerMillion must not be negative.");
        }

        var strategy = RouteStrategy.Ordered;
        switch (route.Strategy)
        {
            case null or "ordered": break;
            case "cheapest": strategy = RouteStrategy.Cheapest; break;
            case "fastest": strategy = RouteStrategy.Fastest; break;
            case "weighted": strategy = RouteStrategy.Weighted; break;
            default:
                errors.Add($"{prefix}:Strategy '{route.Strategy}' is not one of: cheapest, fastest, weighted, ordered.");
                break;
        }

        var weights = route.Weights;
        if (weights.Cost < 0 || weights.Latency < 0 || weights.Priority < 0 || !double.IsFinite(weights.Cost + weights.Latency + weights.Priority))
        {
            errors.Add($"{prefix}:Weights must be finite and non-negative.");
        }
        else if (strategy == RouteStrategy.Weighted && weights.Cost + weights.Latency + weights.Priority == 0)
        {
            errors.Add($"{prefix}:Weights: at least one weight must be positive for the weighted strategy.");
        }

        var canary = BuildCanary(prefix, route, options, errors);
        if (errors.Count > errorCount)
        {
            return null;
        }

        return matched! with
        {
            Order = route.Order,
            Deployments = [.. route.Deployments],
            MinTrust = minTrust,
            Regions = [.. route.Constraints.Regions],
            MaxPricePerMillion = route.Constraints.MaxPricePerMillion,
            Strategy = strategy,
            CostWeight = weights.Cost,
            LatencyWeight = weights.Latency,
            PriorityWeight = weights.Priority,
            Spread = route.Spread,
            Capture = route.Capture,
            Canary = canary,
        };
    }

    /// <summary>
    /// The rule's canary: the deployment exists, serves every model the rule matches and is not the rule's only
    /// deployment (something must take the rest of the share and the fallback); the share is 0 to 100, guards in range.
    /// </summary>
    private static CanaryRule? BuildCanary(string prefix, RouteOptions route, GatewayOptions options, List<string> errors)
    {
        if (route.Canary is not { } canary)
        {
            return null;
        }

        var path = $"{prefix}:Canary";
        var errorCount = errors.Count;
        if (string.IsNullOrWhiteSpace(canary.Deployment))
        {
            errors.Add($"{path}:Deployment is required: the candidate deployment.");
        }
        else if (!options.Deployments.TryGetValue(canary.Deployment, out var deployment))
        {
            errors.Add($"{path}:Deployment '{canary.Deployment}' is not a configured deployment.");
        }
        else
        {
            foreach (var model in route.Match.Models)
            {
                var target = options.Aliases.TryGetValue(model, out var aliased) ? aliased : model;
                if (!deployment.Models.Contains(model) && !deployment.Models.Contains(target))
                {
                    errors.Add($"{path}:Deployment '{canary.Deployment}' does not serve the rule's model '{model}'.");
                }
            }

            if (route.Deployments.Count > 0 && route.Deployments.All(d => d == canary.Deployment))
            {
                errors.Add($"{path}:Deployment '{canary.Deployment}' is the rule's only deployment: a canary needs another to share with and fall back to.");
            }
        }

        if (!double.IsFinite(canary.Percent) || canary.Percent is < 0 or > 100)
        {
            errors.Add($"{path}:Percent must be between 0 and 100.");
        }

        var guards = canary.Guards;
        if (guards.MaxErrorRate is { } rate && (!double.IsFinite(rate) || rate is < 0 or > 1))
        {
            errors.Add($"{path}:Guards:MaxErrorRate must be between 0 and 1.");
        }

        if (guards.MinAgreement is { } agreement && (!double.IsFinite(agreement) || agreement is < 0 or > 1))
        {
            errors.Add($"{path}:Guards:MinAgreement must be between 0 and 1.");
        }

        if (guards.MaxP95LatencyMs is { } latency && (!double.IsFinite(latency) || latency <= 0))
        {
            errors.Add($"{path}:Guards:MaxP95LatencyMs must be a positive number of milliseconds.");
        }

        if (guards.MaxTtftMs is { } ttft && (!double.IsFinite(ttft) || ttft <= 0))
        {
            errors.Add($"{path}:Guards:MaxTtftMs must be a positive number of milliseconds.");
        }

        if (guards.Window < TimeSpan.FromSeconds(1) || guards.Window > TimeSpan.FromDays(1))
        {
            errors.Add($"{path}:Guards:Window must be between 00:00:01 and 1.00:00:00.");
        }

        if (guards.MinRequests is < 1 or > Canaries.CanaryWindow.Capacity)
        {
            errors.Add($"{path}:Guards:MinRequests must be between 1 and {Canaries.CanaryWindow.Capacity}.");
        }

        return errors.Count > errorCount
            ? null
            : new CanaryRule(canary.Deployment!, canary.Percent,
                new CanaryGuards(guards.MaxErrorRate, guards.MaxP95LatencyMs, guards.MaxTtftMs, guards.MinAgreement, guards.Window, guards.MinRequests));
    }

    /// <summary>
    /// Validates a match (of a routing rule, or of an experiment, which matches the same way) into a rule that only
    /// matches; null when it has errors. <paramref name="prefix"/> names the match in messages.
    /// </summary>
    internal static RouteRule? BuildMatch(string id, string prefix, RouteMatchOptions match, GatewayOptions options, ICollection<string> teamIds, List<string> errors)
    {
        var errorCount = errors.Count;
        foreach (var key in match.Keys.Where(k => !options.Keys.ContainsKey(k)))
        {
            errors.Add($"{prefix}:Keys '{key}' is not a configured key.");
        }

        foreach (var team in match.Teams.Where(t => !teamIds.Contains(t)))
        {
            errors.Add($"{prefix}:Teams '{team}' is not a configured team.");
        }

        var levels = ImmutableArray.CreateBuilder<SensitivityLevel>();
        foreach (var name in match.Sensitivity)
        {
            if (SensitivityNames.TryParse(name, out var level))
            {
                levels.Add(level);
            }
            else
            {
                errors.Add($"{prefix}:Sensitivity '{name}' is not a level (public, internal, confidential, restricted).");
            }
        }

        var needs = ModelCapabilities.None;
        foreach (var name in match.Needs)
        {
            if (name is "tools" or "vision" or "json_schema" && ConfigNames.TryParseCapability(name, out var capability))
            {
                needs |= capability;
            }
            else
            {
                errors.Add($"{prefix}:Needs '{name}' is not one of: tools, vision, json_schema.");
            }
        }

        if (match.MinPromptTokens is < 0 || match.MaxPromptTokens is < 0 || match.MinPromptTokens > match.MaxPromptTokens)
        {
            errors.Add($"{prefix}: MinPromptTokens and MaxPromptTokens must be non-negative, with Min <= Max.");
        }

        var protocols = ImmutableArray.CreateBuilder<Requests.InboundProtocol>();
        foreach (var name in match.Protocols)
        {
            if (ConfigNames.TryParseProtocol(name, out var protocol))
            {
                protocols.Add(protocol);
            }
            else
            {
                errors.Add($"{prefix}:Protocols '{name}' is not one of: chat, embeddings, messages, responses.");
            }
        }

        if (errors.Count > errorCount)
        {
            return null;
        }

        return new RouteRule
        {
            Id = id,
            Models = [.. match.Models],
            Keys = [.. match.Keys],
            Teams = [.. match.Teams],
            Metadata = match.Metadata.ToImmutableDictionary(StringComparer.Ordinal),
            Sensitivity = levels.ToImmutable(),
            Needs = needs,
            MinPromptTokens = match.MinPromptTokens,
            MaxPromptTokens = match.MaxPromptTokens,
            Protocols = protocols.ToImmutable(),
        };
    }

    private static FallbackPolicy BuildFallback(FallbackOptions options, List<string> errors)
    {
        if (options.MaxAttempts is < 1 or > 20)
        {
            errors.Add("Fallback:MaxAttempts must be between 1 and 20.");
        }

        if (options.TimeBudget <= TimeSpan.Zero || options.TimeBudget > GatewayLimits.MaxRequestDuration)
        {
            errors.Add($"Fallback:TimeBudget must be a positive duration of at most {GatewayLimits.MaxRequestDuration:c}.");
        }

        if (options.DefaultOutputTokens < 1)
        {
            errors.Add("Fallback:DefaultOutputTokens must be positive.");
        }

        if (options.MaxCoolDown < TimeSpan.Zero || options.MaxCoolDown > GatewayLimits.MaxRequestDuration)
        {
            errors.Add($"Fallback:MaxCoolDown must be between 00:00:00 and {GatewayLimits.MaxRequestDuration:c}.");
        }

        var breaker = options.Breaker;
        if (breaker.FailureRatio is <= 0 or > 1)
        {
            errors.Add("Fallback:Breaker:FailureRatio must be in (0, 1].");
        }

        if (breaker.MinimumThroughput < 2)
        {
            errors.Add("Fallback:Breaker:MinimumThroughput must be at least 2.");
        }

        if (breaker.SamplingDuration < TimeSpan.FromMilliseconds(500) || breaker.BreakDuration < TimeSpan.FromMilliseconds(500)
            || breaker.SamplingDuration > GatewayLimits.MaxRequestDuration || breaker.BreakDuration > GatewayLimits.MaxRequestDuration)
        {
            errors.Add($"Fallback:Breaker: SamplingDuration and BreakDuration must be between 00:00:00.5 and {GatewayLimits.MaxRequestDuration:c}.");
        }

        return new FallbackPolicy
        {
            MaxAttempts = options.MaxAttempts,
            TimeBudget = options.TimeBudget,
            DefaultOutputTokens = options.DefaultOutputTokens,
            MaxCoolDown = options.MaxCoolDown,
            BreakerFailureRatio = breaker.FailureRatio,
            BreakerMinimumThroughput = breaker.MinimumThroughput,
            BreakerSamplingDuration = breaker.SamplingDuration,
            BreakerBreakDuration = breaker.BreakDuration,
        };
    }
}
