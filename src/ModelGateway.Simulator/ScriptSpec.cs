using System.Text.Json;

namespace ModelGateway.Simulator;

/// <summary>
/// A scripted conversation for agent clients: on a turn that does not end with a tool result, the model calls the
/// first of <see cref="ToolCalls"/> whose tool the request offers; once the request ends with a tool result, it
/// answers <see cref="Answer"/>. Applies to every chat-like endpoint until cleared.
/// </summary>
public sealed record ScriptSpec
{
    /// <summary>Candidate calls in order of preference; the request's offered tools decide which one is made.</summary>
    public IReadOnlyList<ScriptedToolCall> ToolCalls { get; init; } = [];

    /// <summary>The final text, after the tool result (or at once when the request offers none of the tools).</summary>
    public string Answer { get; init; } = string.Empty;
}

/// <summary>A tool call the script may make: the tool's name and its arguments (a JSON object).</summary>
public sealed record ScriptedToolCall(string Name, JsonElement Arguments);
