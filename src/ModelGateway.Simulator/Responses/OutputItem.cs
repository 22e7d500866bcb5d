using ModelGateway.Simulator.Generation;

namespace ModelGateway.Simulator.Responses;

/// <summary>One item of a response's <c>output</c>.</summary>
internal abstract record OutputItem(string Id);

/// <summary>A <c>reasoning</c> item: a summary when one was asked for, encrypted content when included.</summary>
internal sealed record ReasoningItem(string Id, string? Summary, string? EncryptedContent) : OutputItem(Id);

/// <summary>An assistant <c>message</c> with one <c>output_text</c> part, streamed a word at a time.</summary>
internal sealed record MessageItem(string Id, IReadOnlyList<string> Words, bool Incomplete) : OutputItem(Id)
{
    public string Text => string.Join(' ', Words);
}

/// <summary>A <c>function_call</c> item.</summary>
internal sealed record FunctionCallItem(string Id, PlannedToolCall Call) : OutputItem(Id);
