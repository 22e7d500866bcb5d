using System.Globalization;
using System.Text.Json;

namespace ModelGateway.Requests;

/// <summary>
/// Reads the client's chat completions body into an <see cref="OpenAiChat"/>. The front door has validated the
/// basics (model, messages, stream); this checks what translation relies on and reports it as a 400.
/// </summary>
internal static class OpenAiChatReader
{
    public static OpenAiChat? Read(JsonElement root, out GatewayError? error)
    {
        try
        {
            return ReadCore(root, out error);
        }
        catch (InvalidRequestException ex)
        {
            error = GatewayError.InvalidRequest(ex.Message, ex.Param);
            return null;
        }
    }

    private static OpenAiChat ReadCore(JsonElement root, out GatewayError? error)
    {
        error = null;
        var turns = new List<ChatTurn>();
        var index = 0;
        foreach (var message in root.GetProperty("messages").EnumerateArray())
        {
            turns.Add(ReadTurn(message, index++));
        }

        var stream = root.TryGetProperty("stream", out var s) && s.ValueKind == JsonValueKind.True;
        var includeUsage = root.TryGetProperty("stream_options", out var so) && so.ValueKind == JsonValueKind.Object
            && so.TryGetProperty("include_usage", out var iu) && iu.ValueKind == JsonValueKind.True;
        var tools = ReadTools(root);
        var (choice, choiceName) = ReadToolChoice(root, tools);
        var (format, schemaName, schema) = ReadResponseFormat(root);
        return new OpenAiChat
        {
            Turns = turns,
            Stream = stream,
            IncludeUsage = includeUsage,
            MaxTokens = Int(root, "max_completion_tokens") ?? Int(root, "max_tokens"),
            Temperature = Number(root, "temperature", 0, 2),
            TopP = Number(root, "top_p", 0, 1),
            Stop = ReadStop(root),
            N = Int(root, "n") ?? 1,
            Seed = root.TryGetProperty("seed", out var seed) && seed.ValueKind == JsonValueKind.Number && seed.TryGetInt64(out var seedValue) ? seedValue : null,
            PresencePenalty = Number(root, "presence_penalty", -2, 2),
            FrequencyPenalty = Number(root, "frequency_penalty", -2, 2),
            Tools = tools,
            ToolChoice = choice,
            ToolChoiceName = choiceName,
            ParallelToolCalls = !(root.TryGetProperty("parallel_tool_calls", out var p) && p.ValueKind == JsonValueKind.False),
            ResponseFormat = format,
            SchemaName = schemaName,
            Schema = schema,
            ReasoningEffort = String(root, "reasoning_effort") is { } effort && effort != "none" ? effort : null,
            User = String(root, "safety_identifier") ?? String(root, "user"),
        };
    }

    private static ChatTurn ReadTurn(JsonElement message, int index)
    {
        var at = string.Create(CultureInfo.InvariantCulture, $"messages[{index}]");
        if (message.ValueKind != JsonValueKind.Object || String(message, "role") is not { } roleName)
        {
            throw new InvalidRequestException($"'{at}' must be an object with a 'role'.", at);
        }

        var role = roleName switch
        {
            "system" or "developer" => ChatRole.System,
            "user" => ChatRole.User,
            "assistant" => ChatRole.Assistant,
            "tool" => ChatRole.Tool,
            _ => throw new InvalidRequestException($"'{at}.role' '{roleName}' is not supported by this provider (use system, developer, user, assistant or tool).", at + ".role"),
        };

        var parts = ReadContent(message, at);
        IReadOnlyList<ToolCallSpec> calls = role == ChatRole.Assistant ? ReadToolCalls(message, at) : [];
        string? toolCallId = null;
        if (role == ChatRole.Tool && (toolCallId = String(message, "tool_call_id")) is null)
        {
            throw new InvalidRequestException($"Missing required parameter: '{at}.tool_call_id'.", at + ".tool_call_id");
        }

        return new ChatTurn(role, parts, calls, toolCallId);
    }

    private static List<ContentPart> ReadContent(JsonElement message, string at)
    {
        var parts = new List<ContentPart>();
        if (!message.TryGetProperty("content", out var content) || content.ValueKind == JsonValueKind.Null)
        {
            return parts;
        }

        if (content.ValueKind == JsonValueKind.String)
        {
            parts.Add(new ContentPart(content.GetString()!));
            return parts;
        }

        if (content.ValueKind != JsonValueKind.Array)
        {
            throw new InvalidRequestException($"'{at}.content' must be a string or an array of parts.", at + ".content");
        }

        var i = 0;
        foreach (var part in content.EnumerateArray())
        {
            var partAt = string.Create(CultureInfo.InvariantCulture, $"{at}.content[{i++}]");
            switch (String(part, "type"))
            {
                case "text":
                    parts.Add(new ContentPart(String(part, "text") ?? throw new InvalidRequestException($"Missing required parameter: '{partAt}.text'.", partAt + ".text")));
                    break;
                case "image_url":
                    var url = part.TryGetProperty("image_url", out var image) ? String(image, "url") : null;
                    parts.Add(ReadImage(url ?? throw new InvalidRequestException($"Missing required parameter: '{partAt}.image_url.url'.", partAt + ".image_url.url"), partAt));
                    break;
                case "refusal":
                    parts.Add(new ContentPart(String(part, "refusal") ?? string.Empty));
                    break;
                case var other:
                    throw new InvalidRequestException($"Content parts of type '{other}' are not supported by this provider (text and image_url are).", partAt + ".type");
            }
        }

        return parts;
    }

    private static ContentPart ReadImage(string url, string at)
    {
        if (url.StartsWith("data:", StringComparison.OrdinalIgnoreCase))
        {
            var comma = url.IndexOf(',', StringComparison.Ordinal);
            var header = comma > 5 ? url.AsSpan(5, comma - 5) : default;
            if (comma < 0 || !header.EndsWith(";base64", StringComparison.OrdinalIgnoreCase))
            {
                throw new InvalidRequestException("Image data URLs must have the form 'data:<media type>;base64,<data>'.", at + ".image_url.url");
            }

            return new ContentPart(null, MediaType: header[..^7].ToString().ToLowerInvariant(), Base64Data: url[(comma + 1)..]);
        }

        if (Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp))
        {
            return new ContentPart(null, ImageUrl: url);
        }

        throw new InvalidRequestException("Image URLs must be http(s) URLs or base64 data URLs.", at + ".image_url.url");
    }

    private static List<ToolCallSpec> ReadToolCalls(JsonElement message, string at)
    {
        var calls = new List<ToolCallSpec>();
        if (!message.TryGetProperty("tool_calls", out var array) || array.ValueKind != JsonValueKind.Array)
        {
            return calls;
        }

        var i = 0;
        foreach (var call in array.EnumerateArray())
        {
            var callAt = string.Create(CultureInfo.InvariantCulture, $"{at}.tool_calls[{i++}]");
            if (call.ValueKind != JsonValueKind.Object || !call.TryGetProperty("function", out var function) || String(call, "id") is not { } id
                || String(function, "name") is not { } name)
            {
                throw new InvalidRequestException($"'{callAt}' needs 'id' and 'function.name'.", callAt);
            }

            var arguments = String(function, "arguments") ?? "{}";
            JsonElement parsed;
            try
            {
                using var document = JsonDocument.Parse(arguments.Length == 0 ? "{}" : arguments);
                parsed = document.RootElement.Clone();
            }
            catch (JsonException)
            {
                throw new InvalidRequestException($"'{callAt}.function.arguments' is not valid JSON.", callAt + ".function.arguments");
            }

            if (parsed.ValueKind != JsonValueKind.Object)
            {
                throw new InvalidRequestException($"'{callAt}.function.arguments' must be a JSON object.", callAt + ".function.arguments");
            }

            calls.Add(new ToolCallSpec(id, name, parsed));
        }

        return calls;
    }

    private static List<ToolSpec> ReadTools(JsonElement root)
    {
        var tools = new List<ToolSpec>();
        if (!root.TryGetProperty("tools", out var array) || array.ValueKind != JsonValueKind.Array)
        {
            return tools;
        }

        var i = 0;
        foreach (var tool in array.EnumerateArray())
        {
            var at = string.Create(CultureInfo.InvariantCulture, $"tools[{i++}]");
            if (String(tool, "type") is { } type && type != "function")
            {
                throw new InvalidRequestException($"Tools of type '{type}' are not supported by this provider (function tools are).", at + ".type");
            }

            if (tool.ValueKind != JsonValueKind.Object || !tool.TryGetProperty("function", out var function) || String(function, "name") is not { } name)
            {
                throw new InvalidRequestException($"Missing required parameter: '{at}.function.name'.", at + ".function.name");
            }

            JsonElement? parameters = function.TryGetProperty("parameters", out var schema) && schema.ValueKind == JsonValueKind.Object ? schema : null;
            tools.Add(new ToolSpec(name, String(function, "description"), parameters));
        }

        return tools;
    }

    private static (ToolChoiceKind, string?) ReadToolChoice(JsonElement root, List<ToolSpec> tools)
    {
        if (!root.TryGetProperty("tool_choice", out var choice) || choice.ValueKind == JsonValueKind.Null)
        {
            return (ToolChoiceKind.Default, null);
        }

        if (choice.ValueKind == JsonValueKind.String)
        {
            return choice.GetString() switch
            {
                "auto" => (ToolChoiceKind.Auto, null),
                "none" => (ToolChoiceKind.None, null),
                "required" => (ToolChoiceKind.Required, null),
                _ => throw new InvalidRequestException("'tool_choice' must be 'none', 'auto', 'required' or a named function.", "tool_choice"),
            };
        }

        if (choice.ValueKind == JsonValueKind.Object && choice.TryGetProperty("function", out var function) && String(function, "name") is { } name)
        {
            if (!tools.Exists(t => t.Name == name))
            {
                throw new InvalidRequestException($"'tool_choice' names function '{name}', which is not one of 'tools'.", "tool_choice");
            }

            return (ToolChoiceKind.Named, name);
        }

        throw new InvalidRequestException("This provider supports 'tool_choice' values 'none', 'auto', 'required' and {\"type\":\"function\",\"function\":{\"name\":...}}.", "tool_choice");
    }

    private static (ResponseFormatKind, string?, JsonElement?) ReadResponseFormat(JsonElement root)
    {
        if (!root.TryGetProperty("response_format", out var format) || format.ValueKind != JsonValueKind.Object)
        {
            return (ResponseFormatKind.Text, null, null);
        }

        switch (String(format, "type"))
        {
            case "json_object":
                return (ResponseFormatKind.JsonObject, null, null);
            case "json_schema":
                if (!format.TryGetProperty("json_schema", out var spec) || spec.ValueKind != JsonValueKind.Object || !spec.TryGetProperty("schema", out var schema)
                    || schema.ValueKind != JsonValueKind.Object)
                {
                    throw new InvalidRequestException("Missing required parameter: 'response_format.json_schema.schema'.", "response_format.json_schema.schema");
                }

                return (ResponseFormatKind.JsonSchema, String(spec, "name") ?? "response", schema);
            default:
                return (ResponseFormatKind.Text, null, null);
        }
    }

    private static string[] ReadStop(JsonElement root)
    {
        if (!root.TryGetProperty("stop", out var stop))
        {
            return [];
        }

        return stop.ValueKind switch
        {
            JsonValueKind.String => [stop.GetString()!],
            JsonValueKind.Array => [.. stop.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!)],
            _ => [],
        };
    }

    private static string? String(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static int? Int(JsonElement element, string name)
    {
        if (!element.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var number) && number > 0
            ? number
            : throw new InvalidRequestException($"'{name}' must be a positive integer.", name);
    }

    private static double? Number(JsonElement element, string name, double min, double max)
    {
        if (!element.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out var number) && number >= min && number <= max
            ? number
            : throw new InvalidRequestException(string.Create(CultureInfo.InvariantCulture, $"'{name}' must be a number between {min} and {max}."), name);
    }
}

/// <summary>A client request translation cannot serve; becomes a 400 at the edge, never escapes the reader.</summary>
internal sealed class InvalidRequestException(string message, string? param) : Exception(message)
{
    public string? Param { get; } = param;
}
