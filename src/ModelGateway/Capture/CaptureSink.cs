using System.IO.Pipelines;
using ModelGateway.Pipeline;

namespace ModelGateway.Capture;

/// <summary>
/// Wraps the sink an adapter writes to (the client's response, or the renderer of another protocol) and keeps a
/// bounded copy of the canonical answer on its way through: what the client received, byte for byte. Only made for
/// attempts that may be captured; it has no forwarding context, so a pass-through answer takes the forwarder's
/// bridge and passes the tee. Everything else is the inner sink's.
/// </summary>
internal sealed class CaptureSink : ResponseSink
{
    private readonly ResponseSink _inner;
    private readonly TeeWriter _tee;

    public CaptureSink(ResponseSink inner, int maxBytes)
    {
        _inner = inner;
        _tee = new TeeWriter(inner.Writer, maxBytes);
    }

    /// <summary>The status the adapter started the answer with; 0 before it started.</summary>
    public int Status { get; private set; }

    public bool IsEventStream { get; private set; }

    public TeeWriter Tee => _tee;

    public override bool HasStarted => _inner.HasStarted;

    public override CancellationToken Aborted => _inner.Aborted;

    public override PipeWriter Writer => _tee;

    public override IHeaderDictionary Headers => _inner.Headers;

    public override void Start(int status, string contentType)
    {
        Status = status;
        IsEventStream = contentType.StartsWith("text/event-stream", StringComparison.OrdinalIgnoreCase);
        _inner.Start(status, contentType);
    }

    public override ValueTask FlushAsync() => _inner.FlushAsync();

    public override void Reset()
    {
        Status = 0;
        _tee.Clear();
        _inner.Reset();
    }

    public override ValueTask CompleteAsync() => _inner.CompleteAsync();
}
