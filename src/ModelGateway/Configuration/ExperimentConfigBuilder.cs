using System.Collections.Immutable;

namespace ModelGateway.Configuration;

/// <summary>Validates the <c>Experiments</c> section; called from <see cref="GatewayConfigBuilder"/> with the shared error list.</summary>
internal static class ExperimentConfigBuilder
{
    public const int MaxConcurrentCalls = 256;
    public const int MaxQueueCapacity = 100_000;

    public static ImmutableArray<ExperimentConfig> Build(GatewayOptions options, ICollection<string> teamIds, List<string> errors)
    {
        var experiments = ImmutableArray.CreateBuilder<ExperimentConfig>();
        foreach (var (id, experiment) in options.Experiments.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            if (BuildOne(id, experiment, options, teamIds, errors) is { } built)
            {
                experiments.Add(built);
            }
        }

        return experiments.ToImmutable();
    }

    private static ExperimentConfig? BuildOne(string id, ExperimentOptions experiment, GatewayOptions options, ICollection<string> teamIds, List<string> errors)
    {
        var prefix = $"Experiments:{id}";
        var errorCount = errors.Count;
        var match = ModelGateway.Routing.RoutingPolicyBuilder.BuildMatch(id, $"{prefix}:Match", experiment.Match, options, teamIds, errors);
        var knownModels = new HashSet<string>(options.Aliases.Keys, StringComparer.Ordinal);
        foreach (var deployment in options.Deployments.Values)
        {
            knownModels.UnionWith(deployment.Models);
        }

        foreach (var model in experiment.Match.Models.Where(m => !knownModels.Contains(m)))
        {
            errors.Add($"{prefix}:Match:Models '{model}' is not a served model or alias.");
        }

        if (experiment.Match.Protocols.Contains("embeddings"))
        {
            errors.Add($"{prefix}:Match:Protocols: embeddings requests are not shadowed; use chat, messages or responses.");
        }

        if (experiment.Candidates.Count == 0)
        {
            errors.Add($"{prefix}:Candidates must list at least one deployment.");
        }

        foreach (var candidate in experiment.Candidates)
        {
            CheckDeployment($"{prefix}:Candidates", candidate, ModelCapabilities.Chat, "chat", options, errors);
        }

        if (experiment.Candidates.Distinct(StringComparer.Ordinal).Count() != experiment.Candidates.Count)
        {
            errors.Add($"{prefix}:Candidates lists a deployment twice.");
        }

        if (experiment.EmbeddingsDeployment is { } embeddings)
        {
            CheckDeployment($"{prefix}:EmbeddingsDeployment", embeddings, ModelCapabilities.Embeddings, "embeddings", options, errors);
        }

        if (experiment.JudgeDeployment is { } judge)
        {
            CheckDeployment($"{prefix}:JudgeDeployment", judge, ModelCapabilities.Chat, "chat", options, errors);
        }

        if (!double.IsFinite(experiment.SampleRate) || experiment.SampleRate is < 0 or > 1)
        {
            errors.Add($"{prefix}:SampleRate must be between 0 and 1.");
        }

        if (experiment.MaxConcurrentShadowCalls is < 1 or > MaxConcurrentCalls)
        {
            errors.Add($"{prefix}:MaxConcurrentShadowCalls must be between 1 and {MaxConcurrentCalls}.");
        }

        if (experiment.MaxShadowSpendUsdPerDay < 0)
        {
            errors.Add($"{prefix}:MaxShadowSpendUsdPerDay must not be negative (0 stops spending).");
        }

        if (experiment.ShadowTimeout <= TimeSpan.Zero || experiment.ShadowTimeout > GatewayLimits.MaxRequestDuration)
        {
            errors.Add($"{prefix}:ShadowTimeout must be a positive duration of at most {GatewayLimits.MaxRequestDuration:c}.");
        }

        if (experiment.QueueCapacity is < 1 or > MaxQueueCapacity)
        {
            errors.Add($"{prefix}:QueueCapacity must be between 1 and {MaxQueueCapacity}.");
        }

        if (!double.IsFinite(experiment.MaxGatewayCpu) || experiment.MaxGatewayCpu is <= 0 or > 1)
        {
            errors.Add($"{prefix}:MaxGatewayCpu must be above 0 and at most 1 (1 never pauses shadowing).");
        }

        if (errors.Count > errorCount)
        {
            return null;
        }

        return new ExperimentConfig
        {
            Id = id,
            Enabled = experiment.Enabled,
            Match = match!,
            Candidates = [.. experiment.Candidates],
            SampleRate = experiment.SampleRate,
            MaxConcurrentShadowCalls = experiment.MaxConcurrentShadowCalls,
            MaxShadowSpendUsdPerDay = experiment.MaxShadowSpendUsdPerDay,
            EmbeddingsDeployment = experiment.EmbeddingsDeployment,
            JudgeDeployment = experiment.JudgeDeployment,
            ShadowTimeout = experiment.ShadowTimeout,
            QueueCapacity = experiment.QueueCapacity,
            MaxGatewayCpu = experiment.MaxGatewayCpu,
        };
    }

    private static void CheckDeployment(string path, string id, ModelCapabilities needed, string neededName, GatewayOptions options, List<string> errors)
    {
        if (!options.Deployments.TryGetValue(id, out var deployment))
        {
            errors.Add($"{path} '{id}' is not a configured deployment.");
            return;
        }

        var capabilities = ModelCapabilities.None;
        foreach (var name in deployment.Capabilities)
        {
            capabilities |= ConfigNames.TryParseCapability(name, out var capability) ? capability : ModelCapabilities.None;
        }

        // A deployment that declares nothing is a plain chat model.
        capabilities = capabilities == ModelCapabilities.None ? ModelCapabilities.Chat : capabilities;
        if (!capabilities.HasFlag(needed))
        {
            errors.Add($"{path} '{id}' cannot serve {neededName} (its Capabilities lack '{neededName}').");
        }
    }
}
