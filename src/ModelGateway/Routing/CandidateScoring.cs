namespace ModelGateway.Routing;

/// <summary>
/// Orders eligible candidates by a rule's strategy. <c>cheapest</c>: estimated cost; <c>fastest</c>: observed
/// time to first byte (streams) or total latency; <c>ordered</c>: the rule's list or deployment priority;
/// <c>weighted</c>: cost, latency and priority each normalised to [0, 1] across the candidates and combined with
/// the rule's weights, the first pick optionally drawn at random in proportion to (1 - score). Ties fall back to
/// priority, then deployment id, so the order is deterministic given the same inputs and random draws.
/// A deployment with no latency history counts as fastest, so a new or recovered deployment gets traffic and a history.
/// </summary>
internal static class CandidateScoring
{
    private const double SpreadFloor = 0.05;

    public static void Order(RouteRule rule, bool streaming, CandidateVerdict[] verdicts, int[] order, IRoutingRandom random)
    {
        Score(rule, streaming, verdicts, order);

        // Insertion sort: a handful of candidates, no delegate or closure allocation.
        for (var i = 1; i < order.Length; i++)
        {
            var current = order[i];
            var j = i - 1;
            while (j >= 0 && Compare(rule.Strategy, verdicts, current, order[j]) < 0)
            {
                order[j + 1] = order[j];
                j--;
            }

            order[j + 1] = current;
        }

        if (rule.Strategy == RouteStrategy.Weighted && rule.Spread && order.Length > 1)
        {
            Spread(verdicts, order, random);
        }

        for (var i = 0; i < order.Length; i++)
        {
            verdicts[order[i]].Rank = i + 1;
        }
    }

    public static double Latency(in CandidateVerdict verdict, bool streaming) =>
        !verdict.LatencyKnown ? 0 : streaming ? verdict.TimeToFirstByteMs : verdict.TotalMs;

    /// <summary>Sets every eligible verdict's <see cref="CandidateVerdict.Score"/> (lower is better).</summary>
    private static void Score(RouteRule rule, bool streaming, CandidateVerdict[] verdicts, int[] order)
    {
        if (order.Length == 0)
        {
            return;
        }

        double minCost = double.MaxValue, maxCost = double.MinValue, minLatency = double.MaxValue, maxLatency = double.MinValue;
        int minPriority = int.MaxValue, maxPriority = int.MinValue;
        foreach (var i in order)
        {
            ref var v = ref verdicts[i];
            var latency = Latency(v, streaming);
            minCost = Math.Min(minCost, v.CostUsd);
            maxCost = Math.Max(maxCost, v.CostUsd);
            minLatency = Math.Min(minLatency, latency);
            maxLatency = Math.Max(maxLatency, latency);
            minPriority = Math.Min(minPriority, v.Deployment.Config.Priority);
            maxPriority = Math.Max(maxPriority, v.Deployment.Config.Priority);
        }

        var weights = rule.Strategy switch
        {
            RouteStrategy.Cheapest => (Cost: 1d, Latency: 0d, Priority: 0d),
            RouteStrategy.Fastest => (Cost: 0d, Latency: 1d, Priority: 0d),
            RouteStrategy.Ordered => (Cost: 0d, Latency: 0d, Priority: 1d),
            _ => (Cost: rule.CostWeight, Latency: rule.LatencyWeight, Priority: rule.PriorityWeight),
        };
        var total = weights.Cost + weights.Latency + weights.Priority;
        foreach (var i in order)
        {
            ref var v = ref verdicts[i];
            var score = (weights.Cost * Normalise(v.CostUsd, minCost, maxCost))
                + (weights.Latency * Normalise(Latency(v, streaming), minLatency, maxLatency))
                + (weights.Priority * Normalise(v.Deployment.Config.Priority, minPriority, maxPriority));
            v.Score = total > 0 ? score / total : 0;
        }
    }

    private static double Normalise(double value, double min, double max) => max > min ? (value - min) / (max - min) : 0;

    private static int Compare(RouteStrategy strategy, CandidateVerdict[] verdicts, int a, int b)
    {
        ref var x = ref verdicts[a];
        ref var y = ref verdicts[b];
        var byStrategy = strategy switch
        {
            // An explicit rule list is already in preference order: keep it (the sort is stable).
            RouteStrategy.Ordered => 0,
            _ => x.Score.CompareTo(y.Score),
        };
        if (byStrategy != 0)
        {
            return byStrategy;
        }

        if (strategy == RouteStrategy.Ordered)
        {
            return a.CompareTo(b);
        }

        var byPriority = x.Deployment.Config.Priority.CompareTo(y.Deployment.Config.Priority);
        return byPriority != 0 ? byPriority : string.CompareOrdinal(x.Deployment.Config.Id, y.Deployment.Config.Id);
    }

    /// <summary>Draws the first candidate in proportion to (1 - score + floor); the rest stay in score order.</summary>
    private static void Spread(CandidateVerdict[] verdicts, int[] order, IRoutingRandom random)
    {
        var sum = 0d;
        foreach (var i in order)
        {
            sum += 1 - verdicts[i].Score + SpreadFloor;
        }

        var draw = random.NextDouble() * sum;
        var chosen = order.Length - 1;
        for (var k = 0; k < order.Length; k++)
        {
            draw -= 1 - verdicts[order[k]].Score + SpreadFloor;
            if (draw < 0)
            {
                chosen = k;
                break;
            }
        }

        var pick = order[chosen];
        for (var k = chosen; k > 0; k--)
        {
            order[k] = order[k - 1];
        }

        order[0] = pick;
    }
}
