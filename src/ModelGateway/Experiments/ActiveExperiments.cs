using System.Collections.Immutable;
using ModelGateway.Configuration;

namespace ModelGateway.Experiments;

/// <summary>The enabled experiments of the snapshot in force, compiled once per configuration change.</summary>
internal sealed class ActiveExperiments
{
    /// <summary>Told the ids of the experiments in force each time a new configuration is compiled (the runners retire the others).</summary>
    public Action<IReadOnlySet<string>>? Changed { get; set; }

    private Compiled? _compiled;

    public ImmutableArray<ActiveExperiment> For(GatewaySnapshot snapshot)
    {
        var compiled = Volatile.Read(ref _compiled);
        if (compiled is not null && ReferenceEquals(compiled.Snapshot, snapshot))
        {
            return compiled.Experiments;
        }

        // A new configuration: compile once (a race compiles twice, harmlessly) and keep it.
        ImmutableArray<ActiveExperiment> experiments = [.. snapshot.Config.Experiments
            .Where(e => e.Enabled && e.SampleRate > 0)
            .Select(e => new ActiveExperiment(e, snapshot))];
        Volatile.Write(ref _compiled, new Compiled(snapshot, experiments));
        Changed?.Invoke(experiments.Select(e => e.Id).ToHashSet(StringComparer.Ordinal));
        return experiments;
    }

    private sealed record Compiled(GatewaySnapshot Snapshot, ImmutableArray<ActiveExperiment> Experiments);
}
