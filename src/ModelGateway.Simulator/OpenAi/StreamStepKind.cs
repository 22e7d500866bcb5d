namespace ModelGateway.Simulator.OpenAi;

/// <summary>What one streamed chunk carries in its <c>delta</c>.</summary>
internal enum StreamStepKind
{
    /// <summary><c>{"role":"assistant","content":""}</c>.</summary>
    Role,

    /// <summary><c>{"content":"word "}</c>.</summary>
    Content,

    /// <summary><c>{"reasoning_content":"..."}</c> (or the dialect's reasoning field): the choice's whole reasoning text.</summary>
    Reasoning,

    /// <summary>The first fragment of a tool call: index, id, type, name and empty arguments (with the role on the first call).</summary>
    ToolCallStart,

    /// <summary>A fragment of a tool call's arguments, with only <c>index</c> and <c>function.arguments</c>.</summary>
    ToolCallArguments,

    /// <summary><c>{}</c> with the choice's <c>finish_reason</c>.</summary>
    Finish,
}
