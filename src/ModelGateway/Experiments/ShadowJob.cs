using ModelGateway.Pipeline;

namespace ModelGateway.Experiments;

/// <summary>
/// One sampled request on its way to the candidates: the request (held, so its buffers outlive the client's
/// response), the experiment that sampled it, and the live result once the client's answer is complete.
/// </summary>
internal sealed class ShadowJob : IDisposable
{
    private readonly TaskCompletionSource<LiveResult> _live = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _released;

    public ShadowJob(ActiveExperiment experiment, GatewayRequest request, DateTimeOffset sampledAt)
    {
        Experiment = experiment;
        Request = request;
        SampledAt = sampledAt;
        SampleRate = experiment.Config.SampleRate;
    }

    /// <summary><c>live</c> for sampled traffic, <c>replay:&lt;id&gt;</c> for a replayed line.</summary>
    public string Source { get; init; } = "live";

    /// <summary>The share of matching requests this one stands for (1 for a replayed line).</summary>
    public double SampleRate { get; init; }

    public ActiveExperiment Experiment { get; }

    /// <summary>The request, held by this job until <see cref="Dispose"/>.</summary>
    public GatewayRequest Request { get; }

    public DateTimeOffset SampledAt { get; }

    public Task<LiveResult> Live => _live.Task;

    public void CompleteLive(LiveResult result) => _live.TrySetResult(result);

    /// <summary>Releases the job's hold on the request (once).</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _released, 1) == 0)
        {
            Request.Dispose();
        }
    }
}
