using ModelGateway.Requests;

namespace ModelGateway.Providers.Translation;

/// <summary>
/// Turns one provider's stream events into OpenAI chunks, one upstream event at a time: each event's chunks are
/// written to <see cref="Chunks"/> and sent before the next event is read, so nothing is held back.
/// </summary>
internal abstract class StreamTranslator
{
    protected StreamTranslator(OpenAiChunkWriter chunks) => Chunks = chunks;

    protected OpenAiChunkWriter Chunks { get; }

    /// <summary>Usage as the provider reported it so far.</summary>
    public TokenUsage? Usage { get; protected set; }

    /// <summary>The reply is complete (a finish reason was sent).</summary>
    public bool Completed { get; protected set; }

    /// <summary>The provider said the stream is over; nothing more will be read.</summary>
    public bool Terminated { get; protected set; }

    /// <summary>An error event from the provider, translated; the stream ends there.</summary>
    public UpstreamOutcome? Error { get; protected set; }

    /// <summary>Translates one SSE event. Called synchronously by the SSE parser with the event's data bytes.</summary>
    public abstract void OnEvent(string eventType, ReadOnlySpan<byte> data);

    /// <summary>The upstream body ended; providers without an end marker finish here.</summary>
    public virtual void OnEndOfStream()
    {
    }

    /// <summary>A label for an error event: a retryable upstream failure the client sees as a 502-type error.</summary>
    protected static GatewayError MidStreamError(string code, string message) =>
        new(StatusCodes.Status502BadGateway, "server_error", code, message);
}
