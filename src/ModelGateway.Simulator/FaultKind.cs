using System.Text.Json.Serialization;

namespace ModelGateway.Simulator;

/// <summary>What a <see cref="FaultSpec"/> does to a request.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<FaultKind>))]
public enum FaultKind
{
    /// <summary>Reply with <see cref="FaultSpec.Status"/> and an error envelope.</summary>
    Status,

    /// <summary>Wait <see cref="FaultSpec.LatencyMs"/>, then reply normally.</summary>
    Latency,

    /// <summary>Abort the connection without a response.</summary>
    Reset,

    /// <summary>Send <see cref="FaultSpec.AfterChunks"/> stream chunks, then abort the connection.</summary>
    CutStream,

    /// <summary>Send <see cref="FaultSpec.AfterChunks"/> stream chunks, then end cleanly without <c>[DONE]</c>.</summary>
    TruncateStream,

    /// <summary>Answer 200 with the broken body named by <see cref="FaultSpec.Body"/>, in every wire format.</summary>
    BrokenBody,

    /// <summary>Stream: send <see cref="FaultSpec.AfterChunks"/> events, then one event of <see cref="FaultSpec.EventBytes"/> bytes with no end.</summary>
    OversizedEvent,

    /// <summary>Reply normally but report <see cref="FaultSpec.PromptTokens"/> as the prompt token count (negative allowed).</summary>
    BadUsage,
}
