using ModelGateway.Simulator.Faults;
using ModelGateway.Simulator.Recording;

namespace ModelGateway.Simulator;

/// <summary>
/// What the simulator has seen and what it will do next: recorded requests, queued faults and client aborts.
/// A singleton in the simulator's services; thread-safe.
/// </summary>
public sealed class SimulatorState
{
    private readonly RequestLog _log;
    private readonly FaultQueue _faults = new();
    private readonly AbortMonitor _aborts;
    private volatile ScriptSpec? _script;

    internal SimulatorState(TimeProvider timeProvider, int maxRecordedRequests)
    {
        _log = new RequestLog(maxRecordedRequests);
        _aborts = new AbortMonitor(timeProvider);
    }

    /// <summary>A snapshot of the recorded <c>/v1/*</c> requests, oldest first.</summary>
    public IReadOnlyList<ReceivedRequest> Received => _log.Snapshot();

    /// <summary>Requests whose client went away before the simulator finished them (since the last <see cref="Clear"/>).</summary>
    public int AbortedCount => _aborts.Count;

    internal IReadOnlyList<FaultSpec> PendingFaults => _faults.Snapshot();

    /// <summary>Forgets the recorded requests and resets <see cref="AbortedCount"/>. Queued faults stay.</summary>
    public void Clear()
    {
        _log.Clear();
        _aborts.Reset();
    }

    /// <summary>Queues a fault for the next <see cref="FaultSpec.Count"/> provider calls (first in, first out).</summary>
    /// <exception cref="ArgumentException">The fault is invalid (see docs/simulator.md).</exception>
    public void EnqueueFault(FaultSpec fault)
    {
        ArgumentNullException.ThrowIfNull(fault);
        if (FaultValidator.Validate(fault) is { } error)
        {
            throw new ArgumentException(error, nameof(fault));
        }

        _faults.Enqueue(fault);
    }

    /// <summary>The scripted agent turn every chat-like endpoint follows, or null for generated replies.</summary>
    public ScriptSpec? Script => _script;

    /// <summary>The stored Responses API responses (<c>store</c> true), for <c>GET</c>, <c>DELETE</c> and <c>previous_response_id</c>.</summary>
    internal Responses.ResponseStore Responses { get; } = new();

    /// <summary>Makes every chat-like endpoint follow <paramref name="script"/> until <see cref="ClearScript"/>.</summary>
    /// <exception cref="ArgumentException">The script is invalid (see docs/simulator.md).</exception>
    public void SetScript(ScriptSpec script)
    {
        ArgumentNullException.ThrowIfNull(script);
        if (Scripting.ScriptValidator.Validate(script) is { } error)
        {
            throw new ArgumentException(error, nameof(script));
        }

        _script = script;
    }

    /// <summary>Back to generated replies.</summary>
    public void ClearScript() => _script = null;

    /// <summary>Drops every queued fault.</summary>
    public void ClearFaults() => _faults.Clear();

    /// <summary>Completes once a client abort has been observed since the last <see cref="Clear"/>.</summary>
    /// <exception cref="TimeoutException">No abort was observed within <paramref name="timeout"/>.</exception>
    public Task WaitForAbortAsync(TimeSpan timeout) => _aborts.WaitAsync(timeout);

    internal void Record(ReceivedRequest request) => _log.Add(request);

    internal FaultSpec? TakeFault() => _faults.TryTake();

    internal void OnClientAborted(ReceivedRequest? request)
    {
        if (request is not null)
        {
            request.Aborted = true;
        }

        _aborts.Signal();
    }
}
