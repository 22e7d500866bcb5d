using System.Collections.Frozen;
using System.Collections.Immutable;
using ModelGateway.Configuration;
using ModelGateway.Sensitivity;

namespace ModelGateway.Routing;

/// <summary>
/// The routing policy of one configuration snapshot, prepared once so each decision only compares: rules with
/// their sets and resolved deployments, the detector set, and the callers' default levels.
/// </summary>
internal sealed class CompiledPolicy
{
    public CompiledPolicy(GatewaySnapshot snapshot)
    {
        Snapshot = snapshot;
        var policy = snapshot.Config.Routing;
        Fallback = policy.Fallback;
        Sensitivity = policy.Sensitivity;
        Detectors = new DetectorSet(policy.Sensitivity);
        KeyDefaults = policy.Sensitivity.KeyDefaults.ToFrozenDictionary(StringComparer.Ordinal);
        TeamDefaults = policy.Sensitivity.TeamDefaults.ToFrozenDictionary(StringComparer.Ordinal);
        Rules = [.. policy.Rules.Select(rule => new CompiledRule(rule, snapshot))];
        Default = new CompiledRule(RouteRule.BuiltInDefault, snapshot);
        UsesMetadata = policy.Rules.Any(rule => !rule.Metadata.IsEmpty)
            || snapshot.Config.Experiments.Any(experiment => experiment.Enabled && !experiment.Match.Metadata.IsEmpty);
        UsesTokenizer = snapshot.Config.UsesTokenizerEstimate();
    }

    /// <summary>
    /// The prompt estimate uses the tokenizer: the configuration asks for it and some quota or budget needs the
    /// precise count. Otherwise the scanner's count of text (about four bytes a token) is the estimate.
    /// </summary>
    public bool UsesTokenizer { get; }


    public GatewaySnapshot Snapshot { get; }

    public FallbackPolicy Fallback { get; }

    public SensitivityPolicy Sensitivity { get; }

    public DetectorSet Detectors { get; }

    public FrozenDictionary<string, SensitivityLevel> KeyDefaults { get; }

    public FrozenDictionary<string, SensitivityLevel> TeamDefaults { get; }

    public ImmutableArray<CompiledRule> Rules { get; }

    public CompiledRule Default { get; }

    /// <summary>Some rule matches on metadata, so requests' metadata and tags must be read.</summary>
    public bool UsesMetadata { get; }

    public CompiledRule Match(in RequestFacts facts)
    {
        foreach (var rule in Rules)
        {
            if (rule.Matches(facts))
            {
                return rule;
            }
        }

        return Default;
    }
}

/// <summary>One rule, ready to match: sets instead of lists, deployments resolved, levels as a bit mask.</summary>
internal sealed class CompiledRule
{
    public CompiledRule(RouteRule rule, GatewaySnapshot snapshot)
    {
        Rule = rule;
        Models = rule.Models.IsEmpty ? null : rule.Models.ToFrozenSet(StringComparer.Ordinal);
        Keys = rule.Keys.IsEmpty ? null : rule.Keys.ToFrozenSet(StringComparer.Ordinal);
        Teams = rule.Teams.IsEmpty ? null : rule.Teams.ToFrozenSet(StringComparer.Ordinal);
        Metadata = [.. rule.Metadata];
        foreach (var level in rule.Sensitivity)
        {
            SensitivityMask |= 1 << (int)level;
        }

        foreach (var protocol in rule.Protocols)
        {
            ProtocolMask |= 1 << (int)protocol;
        }

        if (!rule.Deployments.IsEmpty)
        {
            var config = snapshot.Config;
            Explicit = [.. rule.Deployments.Select(id => new Deployment(config.Deployments[id], config.Providers[config.Deployments[id].ProviderId]))];
        }

        if (rule.Canary is { } canary)
        {
            var config = snapshot.Config;
            var candidate = config.Deployments[canary.Deployment];
            Canary = new Deployment(candidate, config.Providers[candidate.ProviderId]);
            if (Explicit is { } list)
            {
                Explicit = [.. list.Where(d => d.Config.Id != canary.Deployment)];
            }
        }

        Regions = rule.Regions.IsEmpty ? null : rule.Regions.ToFrozenSet(StringComparer.OrdinalIgnoreCase);
        MaxPricePerMillion = rule.MaxPricePerMillion;
    }

    public RouteRule Rule { get; }

    public FrozenSet<string>? Models { get; }

    public FrozenSet<string>? Keys { get; }

    public FrozenSet<string>? Teams { get; }

    public ImmutableArray<KeyValuePair<string, string>> Metadata { get; }

    /// <summary>Bit <c>1 &lt;&lt; level</c> for each level the rule applies to; 0 for any.</summary>
    public int SensitivityMask { get; }

    /// <summary>Bit <c>1 &lt;&lt; protocol</c> for each inbound protocol the rule applies to; 0 for any.</summary>
    public int ProtocolMask { get; }

    /// <summary>The rule's own candidates in its order (without its canary), or null for the requested model's deployments.</summary>
    public ImmutableArray<Deployment>? Explicit { get; }

    /// <summary>The canary's candidate deployment; it is in a plan only when the request is sampled for it.</summary>
    public Deployment? Canary { get; }

    public FrozenSet<string>? Regions { get; }

    public decimal? MaxPricePerMillion { get; }

    public bool Matches(in RequestFacts facts)
    {
        var rule = Rule;
        return (Models is null || Models.Contains(facts.Model))
            && (Keys is null || Keys.Contains(facts.KeyId))
            && (Teams is null || (facts.TeamId is not null && Teams.Contains(facts.TeamId)))
            && (SensitivityMask == 0 || (SensitivityMask & (1 << (int)facts.Level)) != 0)
            && (ProtocolMask == 0 || (ProtocolMask & (1 << (int)facts.Protocol)) != 0)
            && (facts.Needs & rule.Needs) == rule.Needs
            && (rule.MinPromptTokens is null || facts.EstimatedPromptTokens >= rule.MinPromptTokens)
            && (rule.MaxPromptTokens is null || facts.EstimatedPromptTokens <= rule.MaxPromptTokens)
            && MetadataMatches(facts);
    }

    private bool MetadataMatches(in RequestFacts facts)
    {
        foreach (var (key, value) in Metadata)
        {
            if (!Contains(facts.Metadata, key, value) && !Contains(facts.Tags, key, value))
            {
                return false;
            }
        }

        return true;
    }

    private static bool Contains(List<KeyValuePair<string, string>>? pairs, string key, string value)
    {
        if (pairs is null)
        {
            return false;
        }

        foreach (var pair in pairs)
        {
            if (pair.Key == key && pair.Value == value)
            {
                return true;
            }
        }

        return false;
    }
}

/// <summary>What rules match on: the request as the policy sees it.</summary>
internal readonly record struct RequestFacts(
    string Model,
    string KeyId,
    string? TeamId,
    SensitivityLevel Level,
    ModelCapabilities Needs,
    int EstimatedPromptTokens,
    List<KeyValuePair<string, string>>? Metadata,
    List<KeyValuePair<string, string>>? Tags,
    Requests.InboundProtocol Protocol = Requests.InboundProtocol.OpenAiChatCompletions);
