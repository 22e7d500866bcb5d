using System.Collections.Immutable;
using ModelGateway.Configuration;
using ModelGateway.Routing;

namespace ModelGateway.Experiments;

/// <summary>An enabled experiment of one configuration snapshot, ready to match: its rule compiled, its deployments resolved.</summary>
internal sealed class ActiveExperiment
{
    public ActiveExperiment(ExperimentConfig config, GatewaySnapshot snapshot)
    {
        Config = config;
        Rule = new CompiledRule(config.Match, snapshot);
        Candidates = [.. config.Candidates.Select(id => Resolve(snapshot, id))];
        Embeddings = config.EmbeddingsDeployment is { } embeddings ? Resolve(snapshot, embeddings) : null;
        Judge = config.JudgeDeployment is { } judge ? Resolve(snapshot, judge) : null;
    }

    public ExperimentConfig Config { get; }

    public string Id => Config.Id;

    public CompiledRule Rule { get; }

    public ImmutableArray<Deployment> Candidates { get; }

    public Deployment? Embeddings { get; }

    public Deployment? Judge { get; }

    /// <summary>How much of what this experiment sampled was lately shadowed rather than dropped.</summary>
    public AdmissionShare Admission { get; } = new();

    private static Deployment Resolve(GatewaySnapshot snapshot, string id)
    {
        var config = snapshot.Config.Deployments[id];
        return new Deployment(config, snapshot.Config.Providers[config.ProviderId]);
    }
}
