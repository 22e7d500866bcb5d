namespace ModelGateway.Simulator.Generation;

/// <summary>A planned reply: its choices and its usage.</summary>
internal sealed record ChatReply(IReadOnlyList<ReplyChoice> Choices, ChatUsage Usage);
