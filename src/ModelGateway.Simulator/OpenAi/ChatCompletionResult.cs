using ModelGateway.Simulator.Generation;

namespace ModelGateway.Simulator.OpenAi;

/// <summary>A planned reply with the envelope fields every chunk or body of the response repeats.</summary>
internal sealed record ChatCompletionResult(string Id, long Created, string Model, ChatReply Reply, bool IncludeUsage);
