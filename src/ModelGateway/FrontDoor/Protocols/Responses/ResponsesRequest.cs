using ModelGateway.Requests;

namespace ModelGateway.FrontDoor.Protocols.Responses;

/// <summary>
/// What the gateway read from an OpenAI Responses request: the fields it translates, echoes in the response object
/// or stores, as raw JSON where it only echoes them. Built once per request by <see cref="ResponsesRequestReader"/>.
/// </summary>
internal sealed record ResponsesRequest
{
    public required string Model { get; init; }

    public required JsonSpan ModelToken { get; init; }

    public bool Stream { get; init; }

    /// <summary><c>store</c>; OpenAI's default is true.</summary>
    public bool Store { get; init; } = true;

    public string? PreviousResponseId { get; init; }

    /// <summary>The input items, each as raw JSON (a string input becomes one user message item).</summary>
    public required List<byte[]> InputItems { get; init; }

    public string? Instructions { get; init; }

    public int? MaxOutputTokens { get; init; }

    /// <summary>Function tools the chat upstream gets (namespace tools flattened), in the client's order.</summary>
    public required List<FunctionTool> Functions { get; init; }

    /// <summary>Built-in tool types (web_search, file_search...) that a chat upstream cannot run.</summary>
    public required List<string> BuiltInTools { get; init; }

    /// <summary><c>tool_choice</c> forces a built-in tool: only a deployment that speaks Responses itself can serve it.</summary>
    public bool ForcesBuiltInTool { get; init; }

    public bool UsesImages { get; init; }

    public bool UsesJsonSchema { get; init; }

    /// <summary>Raw JSON of fields echoed in the response object (null when absent).</summary>
    public string? ToolChoiceJson { get; init; }

    public string? ToolsJson { get; init; }

    public string? TextJson { get; init; }

    public string? MetadataJson { get; init; }

    public string? TemperatureJson { get; init; }

    public string? TopPJson { get; init; }

    public bool ParallelToolCalls { get; init; } = true;

    public string? ReasoningEffort { get; init; }

    public string? ReasoningSummary { get; init; }

    public string? User { get; init; }

    public string? PromptCacheKey { get; init; }

    /// <summary><c>include</c> asks for <c>reasoning.encrypted_content</c> (Codex does, with <c>store: false</c>).</summary>
    public bool IncludesEncryptedReasoning { get; init; }

    /// <summary>The name a chat upstream knows a function by (a namespace's functions go flat); <paramref name="name"/> alone names a top-level function first.</summary>
    public string UpstreamName(string? @namespace, string name)
    {
        FunctionTool? loose = null;
        foreach (var function in Functions)
        {
            if (function.OwnName == name)
            {
                if (function.Namespace == @namespace)
                {
                    return function.Name;
                }

                loose ??= @namespace is null ? function : null;
            }
        }

        return loose?.Name ?? (@namespace is null ? name : ResponsesRequestReader.FlatName(@namespace, name));
    }

    /// <summary>The namespace and own name of the function a chat upstream called by <paramref name="upstreamName"/> (unknown names come back as they are).</summary>
    public (string? Namespace, string Name) ClientName(string upstreamName)
    {
        foreach (var function in Functions)
        {
            if (function.Name == upstreamName)
            {
                return (function.Namespace, function.OwnName);
            }
        }

        return (null, upstreamName);
    }
}

/// <summary>A function tool as the chat upstream sees it.</summary>
/// <param name="Name">The name the chat upstream sees: the function's own, or for a function of a namespace tool a flat name made of both (<see cref="ResponsesRequestReader.FlatName"/>).</param>
/// <param name="OwnName">The function's name as the client declared it.</param>
/// <param name="Namespace">The <c>namespace</c> tool holding it, if any.</param>
/// <param name="Json">The Responses tool object, raw (<c>{type:"function", name, description, parameters, strict}</c>).</param>
internal sealed record FunctionTool(string Name, string OwnName, string? Namespace, byte[] Json);
