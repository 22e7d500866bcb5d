using ModelGateway.Simulator.Generation;

namespace ModelGateway.Simulator.OpenAi;

/// <summary>A planned reply with the envelope fields every chunk or body of the response repeats.</summary>
internal sealed record ChatCompletionResult(string Id, long Created, string Model, ChatReply Reply, bool IncludeUsage)
{
    /// <summary>The host flavour the reply is written in (usage fields, reasoning field).</summary>
    public Dialects.SimulatedDialect Dialect { get; init; } = Dialects.SimulatedDialect.OpenAi;

    /// <summary>Reasoning text of each choice, when the dialect returns reasoning and the request asked for it; else null.</summary>
    public string? ReasoningText => Dialect.ReasoningField is not null && Reply.Usage.ReasoningTokens > 0
        ? Dialects.SimulatedDialect.ReasoningText(Reply.Usage.ReasoningTokens / Reply.Choices.Count)
        : null;
}
