namespace ModelGateway.Simulator;

/// <summary>
/// Settings of the provider simulator. Bound from the <c>Simulator</c> configuration section, then from the
/// <c>configure</c> callback of <see cref="SimulatorApp.Build"/>. Validated at start-up.
/// </summary>
public sealed class SimulatorOptions
{
    /// <summary>The configuration section the options are bound from.</summary>
    public const string SectionName = "Simulator";

    /// <summary>First word of every text reply and value of the <c>x-simulator</c> response header.</summary>
    public string Name { get; set; } = "simulator";

    /// <summary>Words (one streamed content chunk each) in a text reply; the <c>x-sim-chunks</c> header overrides it.</summary>
    public int DefaultChunks { get; set; } = 8;

    /// <summary>Delay between streamed chunks; the <c>x-sim-chunk-delay-ms</c> header overrides it.</summary>
    public int ChunkDelayMs { get; set; }

    /// <summary>When set, <c>/v1/*</c> calls without <c>Authorization: Bearer &lt;key&gt;</c> get a 401.</summary>
    public string? RequiredApiKey { get; set; }

    /// <summary>Models listed by <c>GET /v1/models</c>. Configured names are added to the defaults.</summary>
    public IList<string> Models { get; } = ["sim-small", "sim-large", "sim-embed"];

    /// <summary>Length of embedding vectors when the request has no <c>dimensions</c>.</summary>
    public int EmbeddingDimensions { get; set; } = 16;

    /// <summary>Whether <c>/v1/*</c> requests are recorded in <see cref="SimulatorState.Received"/>.</summary>
    public bool RecordRequests { get; set; } = true;

    /// <summary>Most recorded requests kept; the oldest are dropped beyond it.</summary>
    public int MaxRecordedRequests { get; set; } = 10_000;

    /// <summary>
    /// The host flavour played: <c>openai</c> (default), <c>deepseek</c>, <c>dashscope</c>, <c>moonshot</c>, <c>zhipu</c>,
    /// <c>together</c>, <c>fireworks</c>, <c>groq</c>, <c>vllm</c>, <c>sglang</c>, <c>ollama</c> or <c>llamacpp</c>: usage
    /// fields, reasoning field, what is refused, and the <c>/metrics</c> format of the self-hosted servers.
    /// </summary>
    public string Dialect { get; set; } = "openai";

    /// <summary>Answer profiles by model name (the request's <c>model</c>): wrong tools, broken JSON, extra latency.</summary>
    public IDictionary<string, AnswerProfile> Profiles { get; } = new Dictionary<string, AnswerProfile>(StringComparer.Ordinal);

    /// <summary>Requests served at once (a GPU server's batch); more wait in a queue. 0 for no limit.</summary>
    public int Capacity { get; set; }
}
