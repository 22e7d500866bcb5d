using System.Text.Json;
using ModelGateway.Requests;

namespace ModelGateway.FrontDoor.Protocols.Responses;

/// <summary>
/// Reads and checks an OpenAI Responses request: the fields the gateway translates, the input items (kept raw for
/// the store), the tools (namespace tools flattened under unique flat names, built-in tools set apart). Errors are 400s in OpenAI's
/// envelope naming the field, never a 5xx. Unknown top-level fields are accepted (they pass through natively).
/// </summary>
internal static class ResponsesRequestReader
{
    public const string ItemTypes = "message, function_call, function_call_output, reasoning";

    /// <summary>The longest function name chat APIs accept.</summary>
    private const int MaxFunctionName = 64;

    // Output items of OpenAI's own built-in tools: a conversation may carry them back; a chat upstream never saw them.
    private static readonly HashSet<string> BuiltInCallItems = new(StringComparer.Ordinal)
    {
        "web_search_call", "file_search_call", "computer_call", "computer_call_output", "code_interpreter_call",
        "image_generation_call", "local_shell_call", "local_shell_call_output", "mcp_call", "mcp_list_tools",
        "mcp_approval_request", "mcp_approval_response", "compaction",
    };

    public static ResponsesRequest? Read(ReadOnlyMemory<byte> body, out GatewayError? error)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 128 });
        }
        catch (JsonException)
        {
            error = RequestErrors.InvalidJson();
            return null;
        }

        using (document)
        {
            try
            {
                return Read(document.RootElement, body.Span, out error);
            }
            catch (InvalidOperationException)
            {
                // A string that is not valid text (an unpaired surrogate escape).
                error = RequestErrors.InvalidText();
                return null;
            }
        }
    }

    private static ResponsesRequest? Read(JsonElement root, ReadOnlySpan<byte> body, out GatewayError? error)
    {
        error = null;
        if (root.ValueKind != JsonValueKind.Object)
        {
            error = RequestErrors.NotAnObject();
            return null;
        }

        if (!root.TryGetProperty("model", out var model) || model.ValueKind == JsonValueKind.Null)
        {
            error = RequestErrors.Missing("model");
            return null;
        }

        if (model.ValueKind != JsonValueKind.String || model.GetString() is not { Length: > 0 } modelName)
        {
            error = RequestErrors.WrongType("model", "a non-empty string");
            return null;
        }

        if (!root.TryGetProperty("input", out var input) || input.ValueKind == JsonValueKind.Null)
        {
            error = RequestErrors.Missing("input");
            return null;
        }

        var stream = Bool(root, "stream", false, ref error);
        var store = Bool(root, "store", true, ref error);
        var parallel = Bool(root, "parallel_tool_calls", true, ref error);
        var previous = String(root, "previous_response_id", ref error);
        var instructions = String(root, "instructions", ref error);
        var user = String(root, "user", ref error);
        var cacheKey = String(root, "prompt_cache_key", ref error);
        int? maxOutput = null;
        if (root.TryGetProperty("max_output_tokens", out var max) && max.ValueKind != JsonValueKind.Null)
        {
            if (max.ValueKind != JsonValueKind.Number || !max.TryGetInt32(out var value) || value < 1)
            {
                error ??= GatewayError.InvalidRequest("Invalid 'max_output_tokens': expected a positive integer.", "max_output_tokens", "invalid_value");
            }
            else
            {
                maxOutput = value;
            }
        }

        string? effort = null, summary = null;
        if (root.TryGetProperty("reasoning", out var reasoning) && reasoning.ValueKind == JsonValueKind.Object)
        {
            effort = String(reasoning, "effort", ref error, "reasoning.effort");
            summary = String(reasoning, "summary", ref error, "reasoning.summary");
        }

        if (error is not null)
        {
            return null;
        }

        var items = ReadInput(input, out var usesImages, out error);
        if (items is null)
        {
            return null;
        }

        var functions = new List<FunctionTool>();
        var builtIn = new List<string>();
        if (root.TryGetProperty("tools", out var tools) && tools.ValueKind != JsonValueKind.Null
            && !ReadTools(tools, functions, builtIn, "tools", null, out error))
        {
            return null;
        }

        Flatten(functions);

        var forcesBuiltIn = false;
        if (root.TryGetProperty("tool_choice", out var choice) && !CheckToolChoice(choice, functions, out forcesBuiltIn, out error))
        {
            return null;
        }

        var usesJsonSchema = false;
        if (root.TryGetProperty("text", out var text) && text.ValueKind == JsonValueKind.Object
            && text.TryGetProperty("format", out var format) && format.ValueKind == JsonValueKind.Object)
        {
            var type = format.TryGetProperty("type", out var t) ? t.GetString() : null;
            switch (type)
            {
                case "text" or "json_object":
                    break;
                case "json_schema":
                    if (!format.TryGetProperty("schema", out var schema) || schema.ValueKind != JsonValueKind.Object)
                    {
                        error = RequestErrors.Missing("text.format.schema");
                        return null;
                    }

                    usesJsonSchema = true;
                    break;
                default:
                    error = GatewayError.InvalidRequest(
                        $"Invalid value: '{type}'. Supported values are: 'text', 'json_object' and 'json_schema'.", "text.format.type", "invalid_value");
                    return null;
            }
        }

        return new ResponsesRequest
        {
            Model = modelName,
            ModelToken = ModelTokenOf(body),
            Stream = stream,
            Store = store,
            PreviousResponseId = previous,
            InputItems = items,
            Instructions = instructions,
            MaxOutputTokens = maxOutput,
            Functions = functions,
            BuiltInTools = builtIn,
            ForcesBuiltInTool = forcesBuiltIn,
            UsesImages = usesImages,
            UsesJsonSchema = usesJsonSchema,
            ToolChoiceJson = Raw(root, "tool_choice"),
            ToolsJson = Raw(root, "tools"),
            TextJson = Raw(root, "text"),
            MetadataJson = Raw(root, "metadata"),
            TemperatureJson = Raw(root, "temperature"),
            TopPJson = Raw(root, "top_p"),
            ParallelToolCalls = parallel,
            ReasoningEffort = effort,
            ReasoningSummary = summary,
            User = user,
            PromptCacheKey = cacheKey,
            IncludesEncryptedReasoning = Includes(root, "reasoning.encrypted_content"),
        };
    }

    /// <summary>The input as raw items; a string is one user message. Every item is checked here.</summary>
    private static List<byte[]>? ReadInput(JsonElement input, out bool usesImages, out GatewayError? error)
    {
        usesImages = false;
        error = null;
        if (input.ValueKind == JsonValueKind.String)
        {
            using var buffer = new MemoryStream();
            using (var json = new Utf8JsonWriter(buffer))
            {
                json.WriteStartObject();
                json.WriteString("type"u8, "message"u8);
                json.WriteString("role"u8, "user"u8);
                json.WriteStartArray("content"u8);
                json.WriteStartObject();
                json.WriteString("type"u8, "input_text"u8);
                json.WriteString("text"u8, input.GetString());
                json.WriteEndObject();
                json.WriteEndArray();
                json.WriteEndObject();
            }

            return [buffer.ToArray()];
        }

        if (input.ValueKind != JsonValueKind.Array)
        {
            error = RequestErrors.WrongType("input", "a string or an array of input items");
            return null;
        }

        var items = new List<byte[]>(input.GetArrayLength());
        var index = 0;
        foreach (var item in input.EnumerateArray())
        {
            var param = $"input[{index}]";
            if (item.ValueKind != JsonValueKind.Object)
            {
                error = RequestErrors.WrongType(param, "an object");
                return null;
            }

            if (!CheckItem(item, param, ref usesImages, out error))
            {
                return null;
            }

            items.Add(System.Text.Encoding.UTF8.GetBytes(item.GetRawText()));
            index++;
        }

        return items;
    }

    private static bool CheckItem(JsonElement item, string param, ref bool usesImages, out GatewayError? error)
    {
        error = null;
        var type = item.TryGetProperty("type", out var t) ? (t.ValueKind == JsonValueKind.String ? t.GetString() : null) : "message";
        switch (type)
        {
            case "message":
                var role = item.TryGetProperty("role", out var r) && r.ValueKind == JsonValueKind.String ? r.GetString() : null;
                if (role is not ("user" or "assistant" or "system" or "developer"))
                {
                    error = GatewayError.InvalidRequest(
                        $"Invalid value for '{param}.role': expected one of 'user', 'assistant', 'system' or 'developer'.", param + ".role", "invalid_value");
                    return false;
                }

                return CheckContent(item, param, ref usesImages, out error);
            case "function_call":
                foreach (var field in (ReadOnlySpan<string>)["call_id", "name", "arguments"])
                {
                    if (!item.TryGetProperty(field, out var value) || value.ValueKind != JsonValueKind.String)
                    {
                        error = GatewayError.InvalidRequest($"Missing required parameter: '{param}.{field}' (a string).", $"{param}.{field}", "missing_required_parameter");
                        return false;
                    }
                }

                return true;
            case "function_call_output":
                if (!item.TryGetProperty("call_id", out var callId) || callId.ValueKind != JsonValueKind.String)
                {
                    error = RequestErrors.Missing(param + ".call_id");
                    return false;
                }

                if (!item.TryGetProperty("output", out var output) || output.ValueKind is not (JsonValueKind.String or JsonValueKind.Array))
                {
                    error = GatewayError.InvalidRequest($"Missing required parameter: '{param}.output' (a string or content parts).", param + ".output", "missing_required_parameter");
                    return false;
                }

                return true;
            case "reasoning":
                return true;
            case { } known when BuiltInCallItems.Contains(known):
                return true;
            default:
                error = GatewayError.InvalidRequest(
                    $"Invalid value: '{type ?? "(not a string)"}'. Supported input item types are: {ItemTypes} (and the output items of built-in tools).",
                    param + ".type", "invalid_value");
                return false;
        }
    }

    private static bool CheckContent(JsonElement item, string param, ref bool usesImages, out GatewayError? error)
    {
        error = null;
        if (!item.TryGetProperty("content", out var content) || content.ValueKind is not (JsonValueKind.String or JsonValueKind.Array))
        {
            error = GatewayError.InvalidRequest($"Invalid '{param}.content': expected a string or an array of content parts.", param + ".content", "invalid_type");
            return false;
        }

        if (content.ValueKind == JsonValueKind.String)
        {
            return true;
        }

        var index = 0;
        foreach (var part in content.EnumerateArray())
        {
            var partParam = $"{param}.content[{index++}]";
            var type = part.ValueKind == JsonValueKind.Object && part.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
            switch (type)
            {
                case "input_text" or "output_text" or "text" or "refusal" or "summary_text" or "reasoning_text":
                    break;
                case "input_image":
                    if (!part.TryGetProperty("image_url", out var url) || url.ValueKind != JsonValueKind.String)
                    {
                        error = GatewayError.InvalidRequest(
                            $"'{partParam}' needs an 'image_url' (an http(s) or data URL); file ids are not supported by the gateway.", partParam + ".image_url", "invalid_value");
                        return false;
                    }

                    usesImages = true;
                    break;
                default:
                    error = GatewayError.InvalidRequest(
                        $"Invalid value: '{type ?? "(missing)"}'. Supported content part types are: 'input_text', 'output_text', 'input_image'.", partParam + ".type", "invalid_value");
                    return false;
            }
        }

        return true;
    }

    private static bool ReadTools(JsonElement tools, List<FunctionTool> functions, List<string> builtIn, string param, string? @namespace, out GatewayError? error)
    {
        error = null;
        if (tools.ValueKind != JsonValueKind.Array)
        {
            error = RequestErrors.WrongType(param, "an array");
            return false;
        }

        var index = 0;
        foreach (var tool in tools.EnumerateArray())
        {
            var toolParam = $"{param}[{index++}]";
            var type = tool.ValueKind == JsonValueKind.Object && tool.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
            switch (type)
            {
                case null:
                    error = RequestErrors.Missing(toolParam + ".type");
                    return false;
                case "function":
                    if (NameOf(tool) is not { } functionName)
                    {
                        error = RequestErrors.Missing(toolParam + ".name");
                        return false;
                    }

                    functions.Add(new FunctionTool(functionName, functionName, @namespace, System.Text.Encoding.UTF8.GetBytes(tool.GetRawText())));
                    break;
                case "namespace" when @namespace is not null:
                    error = GatewayError.InvalidRequest(
                        $"Invalid value: 'namespace'. A namespace tool holds function tools, not another namespace ('{toolParam}.type').", toolParam + ".type", "invalid_value");
                    return false;
                case "namespace":
                    // A group of function tools (Codex's multi_agent_v1): a chat upstream sees them flat, under names that say their namespace.
                    if (NameOf(tool) is not { } namespaceName)
                    {
                        error = RequestErrors.Missing(toolParam + ".name");
                        return false;
                    }

                    if (!tool.TryGetProperty("tools", out var inner) || !ReadTools(inner, functions, builtIn, toolParam + ".tools", namespaceName, out error))
                    {
                        error ??= RequestErrors.Missing(toolParam + ".tools");
                        return false;
                    }

                    break;
                default:
                    if (!builtIn.Contains(type))
                    {
                        builtIn.Add(type);
                    }

                    break;
            }
        }

        return true;
    }

    /// <summary>
    /// The flat name of function <paramref name="name"/> of namespace <paramref name="namespace"/> on a chat upstream:
    /// <c>{namespace}__{name}</c>, within the 64 characters chat APIs allow (a longer one is cut and ends with a hash of the whole).
    /// </summary>
    public static string FlatName(string @namespace, string name)
    {
        var flat = @namespace + "__" + name;
        if (flat.Length <= MaxFunctionName)
        {
            return flat;
        }

        var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(flat)))[..8];
        return string.Concat(flat.AsSpan(0, MaxFunctionName - 9), "_", hash);
    }

    /// <summary>Gives every namespaced function a flat name no other function has (top-level names are kept as they are).</summary>
    private static void Flatten(List<FunctionTool> functions)
    {
        var taken = new HashSet<string>(StringComparer.Ordinal);
        foreach (var function in functions)
        {
            if (function.Namespace is null)
            {
                taken.Add(function.Name);
            }
        }

        for (var i = 0; i < functions.Count; i++)
        {
            if (functions[i].Namespace is not { } @namespace)
            {
                continue;
            }

            var flat = FlatName(@namespace, functions[i].OwnName);
            var unique = flat;
            for (var n = 2; !taken.Add(unique); n++)
            {
                unique = $"{flat[..Math.Min(flat.Length, MaxFunctionName - 4)]}_{n}";
            }

            functions[i] = functions[i] with { Name = unique };
        }
    }

    private static bool Includes(JsonElement root, string value)
    {
        if (root.TryGetProperty("include", out var include) && include.ValueKind == JsonValueKind.Array)
        {
            foreach (var entry in include.EnumerateArray())
            {
                if (entry.ValueKind == JsonValueKind.String && entry.ValueEquals(value))
                {
                    return true;
                }
            }
        }

        return false;
    }

    private static string? NameOf(JsonElement tool) =>
        tool.TryGetProperty("name", out var name) && name.ValueKind == JsonValueKind.String && name.GetString() is { Length: > 0 } value ? value : null;

    private static bool CheckToolChoice(JsonElement choice, List<FunctionTool> functions, out bool forcesBuiltIn, out GatewayError? error)
    {
        forcesBuiltIn = false;
        error = null;
        switch (choice.ValueKind)
        {
            case JsonValueKind.Null:
                return true;
            case JsonValueKind.String when choice.GetString() is "auto" or "none" or "required":
                return true;
            case JsonValueKind.Object when choice.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String:
                switch (type.GetString())
                {
                    case "function":
                        var name = choice.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString() : null;
                        var space = choice.TryGetProperty("namespace", out var ns) && ns.ValueKind == JsonValueKind.String ? ns.GetString() : null;
                        if (name is null || !functions.Exists(f => f.OwnName == name && (space is null || f.Namespace == space)))
                        {
                            var qualified = space is null ? name : $"{space}.{name}";
                            error = GatewayError.InvalidRequest(
                                $"Invalid 'tool_choice': the function '{qualified}' is not in 'tools'.", "tool_choice", "invalid_value");
                            return false;
                        }

                        return true;
                    case "allowed_tools" or "mode":
                        return true;
                    default:
                        forcesBuiltIn = true;
                        return true;
                }

            default:
                error = GatewayError.InvalidRequest(
                    "Invalid 'tool_choice': expected 'auto', 'none', 'required' or a tool object.", "tool_choice", "invalid_value");
                return false;
        }
    }

    private static bool Bool(JsonElement root, string name, bool fallback, ref GatewayError? error)
    {
        if (!root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return fallback;
        }

        if (value.ValueKind is JsonValueKind.True or JsonValueKind.False)
        {
            return value.GetBoolean();
        }

        error ??= RequestErrors.WrongType(name, "a boolean");
        return fallback;
    }

    private static string? String(JsonElement root, string name, ref GatewayError? error, string? param = null)
    {
        if (!root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind == JsonValueKind.String)
        {
            return value.GetString();
        }

        error ??= RequestErrors.WrongType(param ?? name, "a string");
        return null;
    }

    /// <summary>A field as compact JSON: it is echoed inside stream events, where a line break would end the data line.</summary>
    private static string? Raw(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null ? JsonSerializer.Serialize(value) : null;

    /// <summary>Where the top-level <c>model</c> string token sits, for adapters that splice the upstream name in.</summary>
    private static JsonSpan ModelTokenOf(ReadOnlySpan<byte> body)
    {
        var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = 128 });
        reader.Read();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isModel = reader.ValueTextEquals("model"u8);
            reader.Read();
            if (isModel)
            {
                var start = (int)reader.TokenStartIndex;
                return new JsonSpan(start, (int)reader.BytesConsumed - start);
            }

            reader.Skip();
        }

        return default;
    }
}
