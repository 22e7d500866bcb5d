using System.Globalization;
using System.Text.Json.Nodes;

namespace ModelGateway.Experiments;

/// <summary>The progress of one replay: lines done, failed and skipped, what it spent, and how it ended.</summary>
internal sealed class ReplayRun
{
    private readonly Lock _lock = new();
    private int _done;
    private int _failed;
    private int _skipped;
    private decimal _spent;
    private readonly List<string> _errors = [];

    public ReplayRun(string id, string experimentId, int lines, int concurrency, decimal? maxSpendUsd, DateTimeOffset startedAt)
    {
        Id = id;
        ExperimentId = experimentId;
        Lines = lines;
        Concurrency = concurrency;
        MaxSpendUsd = maxSpendUsd;
        StartedAt = startedAt;
    }

    public string Id { get; }

    public string ExperimentId { get; }

    public string Source => "replay:" + Id;

    public int Lines { get; }

    public int Concurrency { get; }

    public decimal? MaxSpendUsd { get; }

    public DateTimeOffset StartedAt { get; }

    /// <summary><c>running</c>, <c>completed</c>, <c>spend_cap_reached</c> or <c>cancelled</c>.</summary>
    public string Status { get; private set; } = "running";

    public DateTimeOffset? FinishedAt { get; private set; }

    public bool OverBudget
    {
        get
        {
            lock (_lock)
            {
                return MaxSpendUsd is { } cap && _spent >= cap;
            }
        }
    }

    public void Completed(IReadOnlyList<PairRecord> pairs)
    {
        lock (_lock)
        {
            _done++;
            _spent += pairs.Sum(p => p.CandidateCostUsd + p.EvaluationCostUsd);
        }
    }

    public void AddSpend(decimal usd)
    {
        lock (_lock)
        {
            _spent += usd;
        }
    }

    public void Failed(int line, string reason)
    {
        lock (_lock)
        {
            _failed++;
            if (_errors.Count < 20)
            {
                _errors.Add($"line {line.ToString(CultureInfo.InvariantCulture)}: {reason}");
            }
        }
    }

    public void Skipped()
    {
        lock (_lock)
        {
            _skipped++;
        }
    }

    public void Finish(string status, DateTimeOffset at)
    {
        lock (_lock)
        {
            Status = status;
            FinishedAt = at;
        }
    }

    public JsonObject ToJson()
    {
        lock (_lock)
        {
            return new JsonObject
            {
                ["object"] = "experiment.replay",
                ["id"] = Id,
                ["experiment"] = ExperimentId,
                ["source"] = Source,
                ["status"] = Status,
                ["lines"] = Lines,
                ["done"] = _done,
                ["failed"] = _failed,
                ["skipped"] = _skipped,
                ["concurrency"] = Concurrency,
                ["maxSpendUsd"] = MaxSpendUsd,
                ["spentUsd"] = Math.Round(_spent, 6),
                ["startedAt"] = StartedAt.ToString("O", CultureInfo.InvariantCulture),
                ["finishedAt"] = FinishedAt?.ToString("O", CultureInfo.InvariantCulture),
                ["errors"] = new JsonArray([.. _errors.Select(e => (JsonNode)e)]),
            };
        }
    }
}
