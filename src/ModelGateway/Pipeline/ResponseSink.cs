using System.IO.Pipelines;

namespace ModelGateway.Pipeline;

/// <summary>
/// Where an adapter writes an answer: the client's HTTP response, an in-memory collector (shadow calls and
/// captures), or a renderer that turns canonical output into another protocol. Nothing is sent before
/// <see cref="Start"/>, so an adapter that fails first leaves the sink untouched and the next deployment can serve.
/// </summary>
internal abstract class ResponseSink
{
    /// <summary>Whether the answer has begun; after this, a failure can only end it, not fall back.</summary>
    public abstract bool HasStarted { get; }

    /// <summary>The reader of the answer went away.</summary>
    public abstract CancellationToken Aborted { get; }

    public abstract PipeWriter Writer { get; }

    /// <summary>Response headers of the answer; settable until it starts.</summary>
    public abstract IHeaderDictionary Headers { get; }

    /// <summary>
    /// An HTTP context the YARP forwarder may drive directly (read the request, write the response), for
    /// pass-through without a copy; null when the forwarder must go through <see cref="ForwarderBridge"/>.
    /// </summary>
    public virtual HttpContext? ForwardingContext => null;

    /// <summary>Sets the status and content type of the answer; the bytes go out on the first flush.</summary>
    public abstract void Start(int status, string contentType);

    public virtual async ValueTask FlushAsync() => await Writer.FlushAsync(Aborted);

    /// <summary>Forgets anything set but not yet sent (headers of a failed attempt), before the next attempt.</summary>
    public abstract void Reset();

    /// <summary>Called once when the answer is complete (or abandoned): renderers write what they still hold.</summary>
    public virtual ValueTask CompleteAsync() => ValueTask.CompletedTask;
}
