using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;
using System.Text.Json;
using ModelGateway.Simulator.Generation;
using ModelGateway.Simulator.OpenAi;

namespace ModelGateway.Simulator.Responses;

/// <summary>
/// Validates a Responses API request the way OpenAI does (the parts the simulator relies on) and reads the prompt.
/// Lenient where real clients send more than the simulator uses: unknown fields, item types and tool types
/// (Codex's <c>namespace</c> and <c>web_search</c> tools, <c>include</c>, <c>client_metadata</c>...) are accepted.
/// </summary>
internal static class ResponsesRequestParser
{
    private static readonly string[] Roles = ["user", "assistant", "system", "developer"];

    /// <param name="root">The request body.</param>
    /// <param name="prior">The conversation of the stored chain this request continues (empty when none).</param>
    /// <param name="itemIdPrefix">Prefix of the ids given to input items that have none.</param>
    /// <param name="request">The parsed request.</param>
    /// <param name="error">Why the request is invalid.</param>
    public static bool TryParse(
        JsonElement root,
        ConversationSummary prior,
        string itemIdPrefix,
        [NotNullWhen(true)] out ResponsesRequest? request,
        [NotNullWhen(false)] out OpenAiError? error)
    {
        request = null;
        if (root.ValueKind != JsonValueKind.Object)
        {
            error = OpenAiErrors.InvalidBody("The request body must be a JSON object.");
            return false;
        }

        if (!JsonRead.TryGetString(root, "model", out var model) || model.Length == 0)
        {
            error = OpenAiErrors.MissingParameter("model");
            return false;
        }

        if ((error = ReadInput(root, prior, itemIdPrefix, out var conversation, out var toolResult, out var items)) is not null
            || (error = ReadTools(root, out var tools)) is not null
            || (error = ReadToolChoice(root, tools, out var toolChoice, out var toolChoiceName)) is not null
            || (error = JsonRead.OptionalInt(root, "max_output_tokens", 1, int.MaxValue, out var maxOutputTokens)) is not null
            || (error = ReadFlag(root, "stream", false, out var stream)) is not null
            || (error = ReadFlag(root, "store", true, out var store)) is not null)
        {
            return false;
        }

        var echo = ReadEcho(root) with { MaxOutputTokens = maxOutputTokens };
        var prompt = new ChatPrompt
        {
            LastUserText = conversation.LastUserText,
            ToolResultText = toolResult,
            PromptTokens = TokenEstimator.Prompt(conversation.TextBytes, conversation.ItemCount),
            Tools = tools,
            ToolChoice = toolChoice,
            ToolChoiceName = toolChoiceName,
            MaxOutputTokens = maxOutputTokens,
            Reasoning = echo.ReasoningEffort is not null && echo.ReasoningEffort != "none",
            PromptCached = echo.PromptCacheKey is not null,
        };
        JsonRead.TryGetString(root, "previous_response_id", out var previous);
        request = new ResponsesRequest(model, stream, store, previous, prompt, conversation, items, echo);
        return true;
    }

    private static OpenAiError? ReadInput(
        JsonElement root,
        ConversationSummary prior,
        string itemIdPrefix,
        out ConversationSummary conversation,
        out string? toolResult,
        out List<string> items)
    {
        conversation = prior;
        toolResult = null;
        items = [];
        if (!root.TryGetProperty("input", out var input) || input.ValueKind == JsonValueKind.Null)
        {
            return prior.ItemCount == 0 ? OpenAiErrors.MissingParameter("input") : null;
        }

        var textBytes = prior.TextBytes;
        var count = prior.ItemCount;
        var lastUserText = prior.LastUserText;
        var callIds = new HashSet<string>(prior.CallIds, StringComparer.Ordinal);
        if (input.ValueKind == JsonValueKind.String)
        {
            var text = input.GetString()!;
            items.Add(UserMessage(itemIdPrefix + "0", text));
            conversation = new ConversationSummary(textBytes + Encoding.UTF8.GetByteCount(text), count + 1, text, callIds);
            return null;
        }

        if (input.ValueKind != JsonValueKind.Array)
        {
            return OpenAiErrors.InvalidType("input", "a string or an array");
        }

        // Calls first: an output may come before its call only if the call is somewhere in the conversation.
        foreach (var item in input.EnumerateArray())
        {
            if (item.ValueKind == JsonValueKind.Object && IsType(item, "function_call") && JsonRead.TryGetString(item, "call_id", out var callId))
            {
                callIds.Add(callId);
            }
        }

        var index = -1;
        foreach (var item in input.EnumerateArray())
        {
            index++;
            var param = string.Create(CultureInfo.InvariantCulture, $"input[{index}]");
            if (item.ValueKind != JsonValueKind.Object)
            {
                return OpenAiErrors.InvalidType(param, "an object");
            }

            var type = JsonRead.TryGetString(item, "type", out var t) ? t : item.TryGetProperty("role", out _) ? "message" : null;
            if (type is null)
            {
                return OpenAiErrors.MissingParameter(param + ".type");
            }

            switch (type)
            {
                case "message":
                    if (!JsonRead.TryGetString(item, "role", out var role))
                    {
                        return OpenAiErrors.MissingParameter(param + ".role");
                    }

                    if (!Roles.Contains(role))
                    {
                        return OpenAiErrors.InvalidValue(param + ".role", $"Invalid value: '{role}'. Supported values are: {string.Join(", ", Roles)}.");
                    }

                    var text = TextOf(item.TryGetProperty("content", out var content) ? content : default);
                    textBytes += Encoding.UTF8.GetByteCount(text);
                    if (role == "user")
                    {
                        lastUserText = text;
                    }

                    if (role is "user" or "assistant")
                    {
                        toolResult = null;
                    }

                    break;
                case "function_call":
                    if (!JsonRead.TryGetString(item, "call_id", out _))
                    {
                        return OpenAiErrors.MissingParameter(param + ".call_id");
                    }

                    if (!JsonRead.TryGetString(item, "name", out var name) || !JsonRead.TryGetString(item, "arguments", out var arguments))
                    {
                        return OpenAiErrors.MissingParameter(param + (JsonRead.TryGetString(item, "name", out _) ? ".arguments" : ".name"));
                    }

                    textBytes += Encoding.UTF8.GetByteCount(name) + Encoding.UTF8.GetByteCount(arguments);
                    break;
                case "function_call_output":
                    if (!JsonRead.TryGetString(item, "call_id", out var outputCallId))
                    {
                        return OpenAiErrors.MissingParameter(param + ".call_id");
                    }

                    if (!callIds.Contains(outputCallId))
                    {
                        return OpenAiErrors.InvalidValue("input", $"No tool call found for function call output with call_id {outputCallId}.");
                    }

                    var output = TextOf(item.TryGetProperty("output", out var value) ? value : default);
                    textBytes += Encoding.UTF8.GetByteCount(output);
                    toolResult = output;
                    break;
                default:
                    // reasoning, item_reference, web_search_call, custom tool calls...: accepted, not read.
                    break;
            }

            count++;
            items.Add(WithId(item, itemIdPrefix + index.ToString(CultureInfo.InvariantCulture)));
        }

        conversation = new ConversationSummary(textBytes, count, lastUserText, callIds);
        return null;
    }

    private static bool IsType(JsonElement item, string type) => JsonRead.TryGetString(item, "type", out var t) && t == type;

    /// <summary>A string, or the text of the parts of a content array that have text.</summary>
    private static string TextOf(JsonElement content)
    {
        if (content.ValueKind == JsonValueKind.String)
        {
            return content.GetString()!;
        }

        if (content.ValueKind != JsonValueKind.Array)
        {
            return string.Empty;
        }

        var text = new StringBuilder();
        foreach (var part in content.EnumerateArray())
        {
            if (part.ValueKind == JsonValueKind.Object && JsonRead.TryGetString(part, "text", out var partText))
            {
                text.Append(text.Length > 0 ? "\n" : string.Empty).Append(partText);
            }
        }

        return text.ToString();
    }

    /// <summary>Function tools, flat (<c>{type, name, parameters}</c>), and those grouped in a <c>namespace</c> tool.</summary>
    private static OpenAiError? ReadTools(JsonElement root, out List<ToolDefinition> tools)
    {
        tools = [];
        if (!root.TryGetProperty("tools", out var element) || element.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (element.ValueKind != JsonValueKind.Array)
        {
            return OpenAiErrors.InvalidType("tools", "an array");
        }

        return AddFunctionTools(element, "tools", tools);
    }

    private static OpenAiError? AddFunctionTools(JsonElement array, string path, List<ToolDefinition> tools)
    {
        var index = -1;
        foreach (var tool in array.EnumerateArray())
        {
            index++;
            var param = string.Create(CultureInfo.InvariantCulture, $"{path}[{index}]");
            if (tool.ValueKind != JsonValueKind.Object)
            {
                return OpenAiErrors.InvalidType(param, "an object");
            }

            if (!JsonRead.TryGetString(tool, "type", out var type))
            {
                return OpenAiErrors.MissingParameter(param + ".type");
            }

            if (type == "namespace" && tool.TryGetProperty("tools", out var inner) && inner.ValueKind == JsonValueKind.Array)
            {
                if (AddFunctionTools(inner, param + ".tools", tools) is { } error)
                {
                    return error;
                }

                continue;
            }

            if (type != "function")
            {
                continue; // Built-in and custom tools (web_search, file_search, custom...) are accepted but never called.
            }

            if (!JsonRead.TryGetString(tool, "name", out var name) || name.Length == 0)
            {
                return OpenAiErrors.MissingParameter(param + ".name");
            }

            JsonElement? parameters = tool.TryGetProperty("parameters", out var schema) ? schema : null;
            tools.Add(new ToolDefinition(name, ToolArguments.Build(parameters)));
        }

        return null;
    }

    private static OpenAiError? ReadToolChoice(JsonElement root, List<ToolDefinition> tools, out ToolChoiceMode mode, out string? name)
    {
        mode = ToolChoiceMode.Auto;
        name = null;
        if (!root.TryGetProperty("tool_choice", out var choice) || choice.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (choice.ValueKind == JsonValueKind.String)
        {
            switch (choice.GetString())
            {
                case "none":
                    mode = ToolChoiceMode.None;
                    return null;
                case "auto":
                    return null;
                case "required":
                    mode = ToolChoiceMode.Required;
                    return null;
                default:
                    return OpenAiErrors.InvalidValue("tool_choice", "Invalid value for 'tool_choice': expected 'none', 'auto', 'required' or an object.");
            }
        }

        if (choice.ValueKind != JsonValueKind.Object)
        {
            return OpenAiErrors.InvalidType("tool_choice", "a string or an object");
        }

        // {"type":"function","name":...} names a function; allowed_tools and built-in choices act as auto.
        if (IsType(choice, "function") && JsonRead.TryGetString(choice, "name", out var functionName))
        {
            if (!tools.Exists(t => t.Name == functionName))
            {
                return OpenAiErrors.InvalidValue("tool_choice", $"Tool choice '{functionName}' not found in 'tools' parameter.");
            }

            mode = ToolChoiceMode.Named;
            name = functionName;
        }

        return null;
    }

    private static OpenAiError? ReadFlag(JsonElement root, string name, bool fallback, out bool value)
    {
        value = fallback;
        if (!root.TryGetProperty(name, out var element) || element.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (element.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
        {
            return OpenAiErrors.InvalidType(name, "a boolean");
        }

        value = element.ValueKind == JsonValueKind.True;
        return null;
    }

    private static ResponseEcho ReadEcho(JsonElement root)
    {
        string? effort = null;
        string? summary = null;
        if (root.TryGetProperty("reasoning", out var reasoning) && reasoning.ValueKind == JsonValueKind.Object)
        {
            // A reasoning object without an effort asks the model's default (medium), as Codex does.
            effort = JsonRead.TryGetString(reasoning, "effort", out var e) ? e : "medium";
            summary = JsonRead.TryGetString(reasoning, "summary", out var s) ? s : null;
        }

        var encrypted = false;
        if (root.TryGetProperty("include", out var include) && include.ValueKind == JsonValueKind.Array)
        {
            foreach (var entry in include.EnumerateArray())
            {
                encrypted |= entry.ValueKind == JsonValueKind.String && entry.ValueEquals("reasoning.encrypted_content");
            }
        }

        return new ResponseEcho
        {
            Instructions = Raw(root, "instructions"),
            ParallelToolCalls = !root.TryGetProperty("parallel_tool_calls", out var parallel) || parallel.ValueKind != JsonValueKind.False,
            Temperature = Raw(root, "temperature"),
            TopP = Raw(root, "top_p"),
            ToolChoice = Raw(root, "tool_choice"),
            Tools = Raw(root, "tools"),
            Text = Raw(root, "text"),
            Metadata = Raw(root, "metadata"),
            ReasoningEffort = effort,
            ReasoningSummary = summary,
            PromptCacheKey = JsonRead.TryGetString(root, "prompt_cache_key", out var key) ? key : null,
            User = JsonRead.TryGetString(root, "user", out var user) ? user : null,
            IncludeEncryptedReasoning = encrypted,
        };
    }

    private static string? Raw(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null ? value.GetRawText() : null;

    private static string UserMessage(string id, string text) => Write(json =>
    {
        json.WriteStartObject();
        json.WriteString("id"u8, id);
        json.WriteString("type"u8, "message"u8);
        json.WriteString("role"u8, "user"u8);
        json.WriteStartArray("content"u8);
        json.WriteStartObject();
        json.WriteString("type"u8, "input_text"u8);
        json.WriteString("text"u8, text);
        json.WriteEndObject();
        json.WriteEndArray();
        json.WriteEndObject();
    });

    /// <summary>The item with an <c>id</c> first when it has none, as OpenAI lists input items.</summary>
    private static string WithId(JsonElement item, string id) => Write(json =>
    {
        json.WriteStartObject();
        if (!item.TryGetProperty("id", out _))
        {
            json.WriteString("id"u8, id);
        }

        if (!item.TryGetProperty("type", out _))
        {
            json.WriteString("type"u8, "message"u8);
        }

        foreach (var property in item.EnumerateObject())
        {
            property.WriteTo(json);
        }

        json.WriteEndObject();
    });

    private static string Write(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer, OpenAiJson.WriterOptions))
        {
            write(json);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
