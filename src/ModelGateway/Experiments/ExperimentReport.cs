using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace ModelGateway.Experiments;

/// <summary>
/// The report of an experiment over a window, from its pair rows: per candidate, then per candidate and model,
/// and per candidate and team. Rates are over the pairs where the check applies, each with its count and a 95 %
/// Wilson interval; latency percentiles and cost per 1,000 requests on both sides; the projected monthly saving
/// if the candidate took the traffic the experiment matched (its sampled requests divided by the sample rate).
/// </summary>
internal static class ExperimentReport
{
    public static JsonObject Build(string experimentId, DateTimeOffset from, DateTimeOffset to, bool windowGiven, IReadOnlyList<PairRecord> pairs, DateTimeOffset now)
    {
        var windowDays = WindowDays(from, to, windowGiven, pairs);
        var candidates = new JsonArray();
        var byModel = new JsonArray();
        var byTeam = new JsonArray();
        foreach (var candidate in pairs.GroupBy(p => p.CandidateDeployment).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            candidates.Add(Group(candidate.ToList(), windowDays, ("candidate", candidate.Key)));
            foreach (var model in candidate.GroupBy(p => p.Model).OrderBy(g => g.Key, StringComparer.Ordinal))
            {
                byModel.Add(Group(model.ToList(), windowDays, ("candidate", candidate.Key), ("model", model.Key)));
            }

            foreach (var team in candidate.GroupBy(p => p.TeamId).OrderBy(g => g.Key, StringComparer.Ordinal))
            {
                byTeam.Add(Group(team.ToList(), windowDays, ("candidate", candidate.Key), ("team", team.Key.Length == 0 ? null : team.Key)));
            }
        }

        return new JsonObject
        {
            ["object"] = "experiment.report",
            ["experiment"] = experimentId,
            ["from"] = from.ToString("O", CultureInfo.InvariantCulture),
            ["to"] = to.ToString("O", CultureInfo.InvariantCulture),
            ["windowDays"] = Math.Round(windowDays, 4),
            ["generatedAt"] = now.ToString("O", CultureInfo.InvariantCulture),
            ["pairs"] = pairs.Count,
            ["candidates"] = candidates,
            ["byModel"] = byModel,
            ["byTeam"] = byTeam,
        };
    }

    /// <summary>Every group as one CSV row (scope, keys, then the figures flattened with dotted names).</summary>
    public static string Csv(JsonObject report)
    {
        var rows = new List<(string Scope, JsonObject Group)>();
        rows.AddRange(((JsonArray)report["candidates"]!).Select(g => ("candidate", (JsonObject)g!)));
        rows.AddRange(((JsonArray)report["byModel"]!).Select(g => ("model", (JsonObject)g!)));
        rows.AddRange(((JsonArray)report["byTeam"]!).Select(g => ("team", (JsonObject)g!)));
        var columns = new List<string>();
        var flattened = new List<Dictionary<string, string>>();
        foreach (var (scope, group) in rows)
        {
            var cells = new Dictionary<string, string>(StringComparer.Ordinal) { ["scope"] = scope };
            Flatten(group, "", cells);
            foreach (var name in cells.Keys.Where(n => !columns.Contains(n)))
            {
                columns.Add(name);
            }

            flattened.Add(cells);
        }

        if (columns.Count == 0)
        {
            columns.AddRange(["scope", "candidate", "pairs"]);
        }

        var text = new StringBuilder();
        text.AppendJoin(',', columns).Append('\n');
        foreach (var cells in flattened)
        {
            text.AppendJoin(',', columns.Select(c => Quote(cells.GetValueOrDefault(c, "")))).Append('\n');
        }

        return text.ToString();
    }

    private static JsonObject Group(List<PairRecord> pairs, double windowDays, params (string Name, string? Value)[] keys)
    {
        var group = new JsonObject();
        foreach (var (name, value) in keys)
        {
            group[name] = value;
        }

        var ok = pairs.Where(p => p.Outcome == "ok").ToList();
        var sent = pairs.Where(p => p.Outcome is "ok" or "candidate_error" or "candidate_timeout").ToList();
        var outcomes = new JsonObject();
        foreach (var outcome in pairs.GroupBy(p => p.Outcome).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            outcomes[outcome.Key] = outcome.Count();
        }

        group["pairs"] = pairs.Count;
        group["compared"] = ok.Count;
        group["outcomes"] = outcomes;
        group["errorRate"] = new JsonObject
        {
            ["live"] = Rate(pairs.Count(p => p.Outcome == "live_error"), pairs.Count(p => !p.Outcome.StartsWith("skipped", StringComparison.Ordinal))),
            ["candidate"] = Rate(sent.Count(p => p.Outcome != "ok"), sent.Count),
        };
        var toolPairs = ok.Where(p => p.ToolExpected == true).ToList();
        group["toolCalls"] = new JsonObject
        {
            ["expected"] = toolPairs.Count,
            ["sameFunction"] = Proportion(toolPairs.Select(p => p.ToolSameFunction)),
            ["argumentsEqual"] = Proportion(toolPairs.Select(p => p.ToolArgumentsEqual)),
            ["argumentsValid"] = Proportion(toolPairs.Select(p => p.ToolArgumentsValid)),
            ["noToolAgreement"] = Proportion(ok.Where(p => p.ToolExpected == false).Select(p => p.ToolSameFunction)),
        };
        var schemaPairs = ok.Where(p => p.SchemaExpected).ToList();
        group["structuredOutput"] = new JsonObject
        {
            ["expected"] = schemaPairs.Count,
            ["liveValid"] = Proportion(schemaPairs.Select(p => p.LiveSchemaValid)),
            ["candidateValid"] = Proportion(schemaPairs.Select(p => p.CandidateSchemaValid)),
        };
        var similarities = ok.Where(p => p.Similarity is not null).Select(p => p.Similarity!.Value).ToList();
        var ratios = ok.Where(p => p.LengthRatio is not null).Select(p => p.LengthRatio!.Value).ToList();
        group["text"] = new JsonObject
        {
            ["exactMatch"] = Proportion(ok.Select(p => p.TextExactMatch)),
            ["lengthRatio"] = Summary(ratios),
            ["similarity"] = Summary(similarities),
        };
        group["judge"] = Judge(ok);
        group["latencyMs"] = new JsonObject
        {
            ["live"] = Percentiles(ok.Select(p => p.LiveLatencyMs)),
            ["candidate"] = Percentiles(ok.Select(p => p.CandidateLatencyMs ?? 0)),
        };
        var streamed = ok.Where(p => p.Stream).ToList();
        group["timeToFirstTokenMs"] = new JsonObject
        {
            ["streamedPairs"] = streamed.Count,
            ["live"] = Percentiles(streamed.Where(p => p.LiveTtftMs is not null).Select(p => p.LiveTtftMs!.Value)),
            ["candidate"] = Percentiles(streamed.Where(p => p.CandidateTtftMs is not null).Select(p => p.CandidateTtftMs!.Value)),
        };
        var liveCost = ok.Count == 0 ? 0m : ok.Sum(p => p.LiveCostUsd) / ok.Count;
        var candidateCost = ok.Count == 0 ? 0m : ok.Sum(p => p.CandidateCostUsd) / ok.Count;
        group["costPer1000RequestsUsd"] = new JsonObject
        {
            ["live"] = Math.Round(liveCost * 1000, 6),
            ["candidate"] = Math.Round(candidateCost * 1000, 6),
        };
        group["shadowSpendUsd"] = Math.Round(pairs.Sum(p => p.CandidateCostUsd + p.EvaluationCostUsd), 6);

        // Each sampled request stands for 1 / sample rate matching requests.
        var matched = pairs.GroupBy(p => p.RequestId).Sum(g => 1 / Math.Max(g.First().SampleRate, 1e-9));
        var perMonth = matched / windowDays * 30;
        group["projection"] = new JsonObject
        {
            ["estimatedMatchingRequestsPerMonth"] = Math.Round(perMonth, 1),
            ["monthlyCostUsd"] = new JsonObject
            {
                ["live"] = Math.Round((double)liveCost * perMonth, 2),
                ["candidate"] = Math.Round((double)candidateCost * perMonth, 2),
            },
            ["monthlySavingUsd"] = Math.Round((double)(liveCost - candidateCost) * perMonth, 2),
        };
        return group;
    }

    private static JsonObject Judge(List<PairRecord> ok)
    {
        var judged = ok.Where(p => p.JudgeVerdict is not null).ToList();
        var valid = judged.Where(p => p.JudgeVerdict != "invalid").ToList();
        var firstWins = valid.Count(p =>
            (p.JudgeVerdict == "candidate" && p.JudgeCandidatePosition == 1) || (p.JudgeVerdict == "live" && p.JudgeCandidatePosition == 2));
        var decided = valid.Count(p => p.JudgeVerdict != "tie");
        return new JsonObject
        {
            ["judged"] = judged.Count,
            ["invalid"] = judged.Count - valid.Count,
            ["candidateWins"] = Share(valid.Count(p => p.JudgeVerdict == "candidate"), valid.Count),
            ["ties"] = Share(valid.Count(p => p.JudgeVerdict == "tie"), valid.Count),
            ["liveWins"] = Share(valid.Count(p => p.JudgeVerdict == "live"), valid.Count),

            // Position bias: of the decided verdicts, the share that went to whichever answer was shown first (0.5 is none).
            ["firstPositionWins"] = Share(firstWins, decided),
        };
    }

    private static JsonObject Proportion(IEnumerable<bool?> values)
    {
        long yes = 0, count = 0;
        foreach (var value in values)
        {
            if (value is { } known)
            {
                count++;
                yes += known ? 1 : 0;
            }
        }

        return Share(yes, count);
    }

    private static JsonObject Share(long successes, long trials)
    {
        var (low, high) = Wilson.Interval(successes, trials);
        return new JsonObject
        {
            ["count"] = trials,
            ["successes"] = successes,
            ["rate"] = trials == 0 ? null : Math.Round(successes / (double)trials, 4),
            ["low"] = trials == 0 ? null : Math.Round(low, 4),
            ["high"] = trials == 0 ? null : Math.Round(high, 4),
        };
    }

    private static double? Rate(long part, long whole) => whole == 0 ? null : Math.Round(part / (double)whole, 4);

    private static JsonObject Summary(List<double> values) => new()
    {
        ["count"] = values.Count,
        ["mean"] = values.Count == 0 ? null : Math.Round(values.Average(), 4),
        ["p50"] = Percentile(values, 0.50) is { } p50 ? Math.Round(p50, 4) : null,
    };

    private static JsonObject Percentiles(IEnumerable<double> values)
    {
        var list = values.ToList();
        return new JsonObject
        {
            ["count"] = list.Count,
            ["p50"] = Percentile(list, 0.50) is { } p50 ? Math.Round(p50, 1) : null,
            ["p95"] = Percentile(list, 0.95) is { } p95 ? Math.Round(p95, 1) : null,
        };
    }

    /// <summary>Nearest-rank percentile; null for no values.</summary>
    internal static double? Percentile(List<double> values, double q)
    {
        if (values.Count == 0)
        {
            return null;
        }

        var sorted = values.Order().ToList();
        var rank = (int)Math.Ceiling(q * sorted.Count);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Count - 1)];
    }

    /// <summary>The window the traffic estimate divides by: the asked one, else the span of the pairs, at least one day.</summary>
    private static double WindowDays(DateTimeOffset from, DateTimeOffset to, bool windowGiven, IReadOnlyList<PairRecord> pairs)
    {
        if (windowGiven)
        {
            return Math.Max((to - from).TotalDays, 1.0 / 24);
        }

        if (pairs.Count == 0)
        {
            return 1;
        }

        return Math.Max((pairs.Max(p => p.Timestamp) - pairs.Min(p => p.Timestamp)).TotalDays, 1);
    }

    private static void Flatten(JsonNode? node, string path, Dictionary<string, string> cells)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (name, value) in obj)
                {
                    Flatten(value, path.Length == 0 ? name : path + "." + name, cells);
                }

                break;
            case null:
                cells[path] = "";
                break;
            default:
                cells[path] = node.GetValueKind() == System.Text.Json.JsonValueKind.String
                    ? node.GetValue<string>()
                    : node.ToJsonString();
                break;
        }
    }

    private static string Quote(string value) =>
        value.AsSpan().IndexOfAny(",\"\n\r") >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;
}
