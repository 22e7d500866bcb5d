using System.Collections.Concurrent;
using ModelGateway.Providers;
using ModelGateway.Requests;

namespace ModelGateway.Routing;

/// <summary>
/// Observed latency (time to first byte and total) and output size per deployment, as exponentially weighted
/// moving averages shared by every request of the process. Fed by every served attempt; read by scoring.
/// </summary>
internal sealed class DeploymentStatistics : IUpstreamAttemptListener
{
    /// <summary>Weight of the newest sample: 0.3 forgets a change in a handful of requests.</summary>
    public const double Alpha = 0.3;

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    public DeploymentObservation Get(string deploymentId) =>
        _entries.TryGetValue(deploymentId, out var entry) ? entry.Read() : default;

    public void OnAttemptCompleted(UpstreamAttempt attempt)
    {
        var outcome = attempt.Outcome;
        if (!outcome.Served || outcome.FailureKind != FailureKind.None)
        {
            return;
        }

        var total = attempt.Duration.TotalMilliseconds;
        Record(attempt.Deployment.Config.Id, outcome.TimeToFirstByte?.TotalMilliseconds ?? total, total, outcome.Usage?.CompletionTokens);
    }

    public void Record(string deploymentId, double timeToFirstByteMs, double totalMs, int? outputTokens) =>
        _entries.GetOrAdd(deploymentId, static _ => new Entry()).Add(timeToFirstByteMs, totalMs, outputTokens);

    private sealed class Entry
    {
        private readonly Lock _lock = new();
        private DeploymentObservation _value;

        public DeploymentObservation Read()
        {
            lock (_lock)
            {
                return _value;
            }
        }

        public void Add(double ttfb, double total, int? outputTokens)
        {
            lock (_lock)
            {
                var v = _value;
                var first = v.Samples == 0;
                v = v with
                {
                    Samples = v.Samples + 1,
                    TimeToFirstByteMs = first ? ttfb : v.TimeToFirstByteMs + (Alpha * (ttfb - v.TimeToFirstByteMs)),
                    TotalMs = first ? total : v.TotalMs + (Alpha * (total - v.TotalMs)),
                };
                if (outputTokens is { } tokens)
                {
                    v = v with
                    {
                        OutputSamples = v.OutputSamples + 1,
                        OutputTokens = v.OutputSamples == 0 ? tokens : v.OutputTokens + (Alpha * (tokens - v.OutputTokens)),
                    };
                }

                _value = v;
            }
        }
    }
}

/// <summary>What has been observed of one deployment; <see cref="Samples"/> 0 means nothing yet.</summary>
internal readonly record struct DeploymentObservation(int Samples, double TimeToFirstByteMs, double TotalMs, int OutputSamples, double OutputTokens);
