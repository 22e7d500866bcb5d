using ModelGateway.Simulator.Generation;

namespace ModelGateway.Simulator.OpenAi;

/// <summary>A parsed <c>POST /v1/chat/completions</c> request.</summary>
internal sealed record ChatRequest(string Model, bool Stream, bool IncludeUsage, ChatPrompt Prompt);
