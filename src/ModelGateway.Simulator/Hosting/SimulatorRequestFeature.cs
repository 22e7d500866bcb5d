namespace ModelGateway.Simulator.Hosting;

/// <summary>Per-request simulator state shared by the middleware and the endpoints.</summary>
internal sealed class SimulatorRequestFeature(string requestId)
{
    private volatile bool _completed;
    private volatile bool _selfAborted;
    private int _abortCounted;

    /// <summary>The <c>x-request-id</c> of the response.</summary>
    public string RequestId { get; } = requestId;

    /// <summary>The request body, when the recording middleware has read it already.</summary>
    public ReadOnlyMemory<byte>? BufferedBody { get; set; }

    /// <summary>The fault that shapes the response body (cut or truncate), applied by the endpoint.</summary>
    public FaultSpec? BodyFault { get; set; }

    /// <summary>True once the simulator has aborted or broken the connection on purpose.</summary>
    public bool SelfAborted => _selfAborted;

    internal ReceivedRequest? Record { get; set; }

    internal SimulatorState? State { get; set; }

    public static SimulatorRequestFeature Get(HttpContext context) =>
        context.Features.Get<SimulatorRequestFeature>()
        ?? throw new InvalidOperationException("The simulator request feature is missing: is SimulatorRequestMiddleware first?");

    /// <summary>Aborts the connection on purpose; this is not counted as a client abort.</summary>
    public void AbortConnection(HttpContext context)
    {
        _selfAborted = true;
        context.Abort();
    }

    /// <summary>
    /// Breaks a response that has started: the exception makes Kestrel close the connection once what was
    /// written has been sent, without ending the body (no final chunk), so the client reads the data and then
    /// an incomplete body. An abort would reset the connection and could discard data the client has not read.
    /// </summary>
    public IOException BreakConnection(string reason)
    {
        _selfAborted = true;
        return new IOException("Simulated fault: " + reason);
    }

    public void MarkCompleted() => _completed = true;

    public void OnRequestAborted()
    {
        if (!_completed && !_selfAborted)
        {
            CountAbortOnce();
        }
    }

    /// <summary>A response writer saw the client stop reading before the response was complete.</summary>
    public void OnClientStoppedReading()
    {
        if (!_selfAborted)
        {
            CountAbortOnce();
        }
    }

    private void CountAbortOnce()
    {
        // The connection's abort callback and the writer can both notice the same departure.
        if (Interlocked.Exchange(ref _abortCounted, 1) == 0)
        {
            State?.OnClientAborted(Record);
        }
    }
}
