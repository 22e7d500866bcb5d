using ModelGateway.Configuration;

namespace ModelGateway.Routing;

/// <summary>The routing policy compiled for the snapshot in force, shared by the classifier and the planner.</summary>
internal sealed class CompiledPolicies
{
    private CompiledPolicy? _compiled;

    public CompiledPolicy For(GatewaySnapshot snapshot)
    {
        var compiled = Volatile.Read(ref _compiled);
        if (compiled is null || !ReferenceEquals(compiled.Snapshot, snapshot))
        {
            // A new configuration: compile once (a race compiles twice, harmlessly) and keep it.
            compiled = new CompiledPolicy(snapshot);
            Volatile.Write(ref _compiled, compiled);
        }

        return compiled;
    }
}
