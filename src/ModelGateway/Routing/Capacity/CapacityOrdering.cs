using ModelGateway.Configuration;

namespace ModelGateway.Routing.Capacity;

/// <summary>
/// The capacity step of a routing decision, after the strategy has ordered the eligible candidates: notes each
/// capacity-limited candidate's load, moves saturated ones behind every candidate with room (they stay in the plan
/// as a last resort: queueing beats refusing), and picks the less loaded of two random equivalent self-hosted
/// replicas for the front (power of two choices). Candidates without <c>Capacity</c> settings cost one null check.
/// </summary>
internal static class CapacityOrdering
{
    public static void Apply(DeploymentLoad load, CandidateVerdict[] verdicts, int[] order, IRoutingRandom random)
    {
        var anySaturated = false;
        var tracked = 0;
        foreach (var index in order)
        {
            ref var verdict = ref verdicts[index];
            if (verdict.Deployment.Config.Capacity is not { } capacity)
            {
                continue;
            }

            tracked++;
            verdict.Load = load.Figures(verdict.Deployment);
            verdict.Saturated = DeploymentLoad.Saturation(capacity, verdict.Load);
            anySaturated |= verdict.Saturated is not null;
        }

        if (tracked == 0)
        {
            return;
        }

        if (anySaturated)
        {
            // Stable: the strategy's order holds within the two groups.
            var roomy = order.Where(i => verdicts[i].Saturated is null).ToArray();
            var saturated = order.Where(i => verdicts[i].Saturated is not null).ToArray();
            roomy.CopyTo(order, 0);
            saturated.CopyTo(order, roomy.Length);
        }

        PickLessLoadedReplica(verdicts, order, random);
        for (var i = 0; i < order.Length; i++)
        {
            verdicts[order[i]].Rank = i + 1;
        }
    }

    /// <summary>Among the leading self-hosted replicas with the same price and priority, two random ones; the less loaded goes first.</summary>
    private static void PickLessLoadedReplica(CandidateVerdict[] verdicts, int[] order, IRoutingRandom random)
    {
        if (order.Length < 2 || !IsReplica(verdicts[order[0]], verdicts[order[0]]))
        {
            return;
        }

        var replicas = 1;
        while (replicas < order.Length && IsReplica(verdicts[order[0]], verdicts[order[replicas]]))
        {
            replicas++;
        }

        if (replicas < 2)
        {
            return;
        }

        var a = (int)(random.NextDouble() * replicas);
        var b = (a + 1 + (int)(random.NextDouble() * (replicas - 1))) % replicas;
        var chosen = QueueDepth(verdicts[order[b]]) < QueueDepth(verdicts[order[a]]) ? b : a;
        if (chosen != 0)
        {
            (order[0], order[chosen]) = (order[chosen], order[0]);
        }
    }

    private static bool IsReplica(in CandidateVerdict first, in CandidateVerdict other) =>
        other.Saturated is null
        && other.Deployment.Config.Capacity is not null
        && other.Deployment.Provider.Trust == TrustTier.SelfHosted
        && other.Deployment.Config.Priority == first.Deployment.Config.Priority
        && other.Deployment.Config.Price == first.Deployment.Config.Price;

    /// <summary>The server's queue when its metrics are fresh, plus what this gateway has sent since; else the in-flight count.</summary>
    private static double QueueDepth(in CandidateVerdict verdict) =>
        verdict.Load.Server is { } server ? server.Waiting + (server.Running / 1000d) + (verdict.Load.InFlight / 1_000_000d) : verdict.Load.InFlight;
}
