namespace ModelGateway.Simulator.OpenAi;

/// <summary>A parsed <c>POST /v1/completions</c> request: one entry per prompt (a string or a token-id list).</summary>
internal sealed record CompletionsRequest(string Model, bool Stream, bool IncludeUsage, IReadOnlyList<CompletionPrompt> Prompts, int? MaxTokens, int Choices);

/// <summary>One prompt of a completions request: its text (token ids written as text when it came as ids) and its token count.</summary>
internal sealed record CompletionPrompt(string Text, int Tokens);
