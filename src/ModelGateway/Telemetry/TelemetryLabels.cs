using ModelGateway.Configuration;
using ModelGateway.Requests;

namespace ModelGateway.Telemetry;

/// <summary>
/// Turns request facts into label values with bounded cardinality: every value is an operator-configured id or
/// one of a fixed set of words. Anything a client typed that the configuration does not know becomes "other".
/// </summary>
internal static class TelemetryLabels
{
    public const string None = "none";
    public const string Other = "other";

    private static readonly string[] OutcomeNames =
        ["served", "fell_back", "rejected_quota", "rejected_policy", "upstream_error", "client_error", "client_cancelled", "gateway_error"];

    private static readonly string[] TrustNames = ["self-hosted", "contracted", "public"];

    public static string Outcome(RequestOutcome outcome) => OutcomeNames[(int)outcome];

    public static string Trust(TrustTier tier) => TrustNames[(int)tier];

    /// <summary>The model label: the name as asked when the configuration serves it, otherwise "other".</summary>
    public static string Model(string? model, GatewaySnapshot snapshot) =>
        model is null ? None : snapshot.IsKnownModel(model) ? model : Other;

    public static string Team(string? teamId) => string.IsNullOrEmpty(teamId) ? None : teamId;

    /// <summary>The semantic-convention <c>gen_ai.provider.name</c> of a provider kind.</summary>
    public static string GenAiProvider(ProviderKind kind) => kind switch
    {
        ProviderKind.Anthropic => "anthropic",
        ProviderKind.Gemini => "gcp.gemini",
        ProviderKind.AzureOpenAi => "azure.ai.openai",

        // Self-hosted OpenAI-compatible servers (vLLM, SGLang, Ollama...) speak OpenAI's API, so they report as openai.
        _ => "openai",
    };

    /// <summary>The semantic-convention <c>gen_ai.operation.name</c>.</summary>
    /// <summary>The OpenTelemetry GenAI operation name of an upstream call.</summary>
    public static string GenAiOperation(Operation operation) => operation switch
    {
        Operation.ChatCompletions => "chat",
        Operation.Embeddings => "embeddings",
        Operation.Responses => "chat",
        Operation.Completions => "text_completion",
        _ => throw new ArgumentOutOfRangeException(nameof(operation), operation, "An operation without a telemetry name."),
    };

    /// <summary>The <c>operation</c> label of a request, from the protocol the client spoke.</summary>
    public static string OperationOf(InboundProtocol protocol) => protocol switch
    {
        InboundProtocol.OpenAiChatCompletions => "chat",
        InboundProtocol.OpenAiEmbeddings => "embeddings",
        InboundProtocol.AnthropicMessages => "messages",
        InboundProtocol.OpenAiResponses => "responses",
        InboundProtocol.OpenAiCompletions => "completions",
        _ => throw new ArgumentOutOfRangeException(nameof(protocol), protocol, "An inbound protocol without a telemetry name."),
    };
}
