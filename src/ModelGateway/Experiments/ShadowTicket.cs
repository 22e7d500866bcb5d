using ModelGateway.Configuration;
using ModelGateway.Providers;
using ModelGateway.Requests;

namespace ModelGateway.Experiments;

/// <summary>A sampled request's part on the request path: queue the job when the answer starts, hand over the live result at the end.</summary>
internal sealed class ShadowTicket
{
    private readonly ShadowJob _job;
    private readonly LiveCapture _capture;
    private readonly ExperimentRunners _runners;
    private int _enqueued;

    public ShadowTicket(ShadowJob job, LiveCapture capture, ExperimentRunners runners)
    {
        _job = job;
        _capture = capture;
        _runners = runners;
    }

    /// <summary>Queues the job once (a full queue drops it, counted); never waits.</summary>
    public void Enqueue()
    {
        if (Interlocked.Exchange(ref _enqueued, 1) == 0 && !_runners.TryEnqueue(_job))
        {
            _job.Dispose();
        }
    }

    /// <summary>The client's answer is complete (or failed): the comparison can use it.</summary>
    public void Complete(
        Deployment? servedBy, UpstreamOutcome? final, TokenUsage? usage, decimal cost, TimeSpan latency, int status, string? contentType)
    {
        _job.CompleteLive(new LiveResult
        {
            ServedBy = servedBy,
            Status = status,
            ContentType = contentType,
            Body = _capture.ToArray(),
            Truncated = _capture.Truncated,
            Latency = latency,
            TimeToFirstToken = final?.TimeToFirstChunk ?? final?.TimeToFirstByte,
            Usage = usage,
            CostUsd = cost,
            Failure = servedBy is null ? final?.FailureLabel ?? "not_served" : final?.FailureLabel,
            ClientGone = final?.ClientGone == true,
        });
        Enqueue();
    }
}
