using System.Text;
using System.Text.Json;
using ModelGateway.Requests;

namespace ModelGateway.FrontDoor.Protocols.AnthropicMessages;

/// <summary>
/// Writes a Messages body as an OpenAI chat completions body (docs/providers.md has the table): system blocks and
/// <c>role: "system"</c> entries become system messages where they stand, <c>tool_use</c> becomes
/// <c>tool_calls</c>, each <c>tool_result</c> a <c>tool</c> message, images image parts (base64 as data URLs).
/// Thinking, cache control and fields without an equivalent are dropped and named in <see cref="DroppedFields"/>.
/// </summary>
internal static class MessagesToChat
{
    private static readonly HashSet<string> OpenAiPartTypes = ["image_url", "input_text", "input_image", "input_file", "input_audio", "output_text",
        "refusal", "file", "function", "function_call", "function_call_output"];

    private static readonly HashSet<string> Mapped = ["model", "messages", "max_tokens", "stream", "system", "temperature", "top_p",
        "stop_sequences", "metadata", "tools", "tool_choice"];

    public static GatewayError? Write(Utf8JsonWriter json, JsonElement root, string model, bool stream, DroppedFields dropped)
    {
        json.WriteStartObject();
        json.WriteString("model"u8, model);
        json.WriteStartArray("messages"u8);
        if (root.TryGetProperty("system", out var system) && WriteSystem(json, system, "system", dropped) is { } systemError)
        {
            return systemError;
        }

        if (WriteMessages(json, root.GetProperty("messages"), dropped) is { } messagesError)
        {
            return messagesError;
        }

        json.WriteEndArray();
        if (stream)
        {
            // The renderer needs the usage chunk for message_delta's usage, whatever the client asked.
            json.WriteBoolean("stream"u8, true);
            json.WriteStartObject("stream_options"u8);
            json.WriteBoolean("include_usage"u8, true);
            json.WriteEndObject();
        }

        if (root.TryGetProperty("max_tokens", out var maxTokens))
        {
            json.WriteNumber("max_completion_tokens"u8, maxTokens.GetInt32());
        }

        if ((CopyNumber(json, root, "temperature") ?? CopyNumber(json, root, "top_p")) is { } numberError)
        {
            return numberError;
        }

        if (root.TryGetProperty("stop_sequences", out var stops) && WriteStops(json, stops) is { } stopError)
        {
            return stopError;
        }

        if (root.TryGetProperty("metadata", out var metadata) && metadata.ValueKind == JsonValueKind.Object
            && metadata.TryGetProperty("user_id", out var user) && user.ValueKind == JsonValueKind.String)
        {
            json.WriteString("user"u8, user.GetString());
        }

        if (MessagesTools.Write(json, root, dropped) is { } toolError)
        {
            return toolError;
        }

        json.WriteEndObject();
        foreach (var property in root.EnumerateObject())
        {
            if (!Mapped.Contains(property.Name) && !(property.Name == "thinking" && IsDisabled(property.Value)))
            {
                dropped.Add(property.Name);
            }
        }

        return null;
    }

    private static bool IsDisabled(JsonElement thinking) =>
        thinking.ValueKind == JsonValueKind.Object && thinking.TryGetProperty("type", out var type) && type.ValueEquals("disabled");

    private static GatewayError? CopyNumber(Utf8JsonWriter json, JsonElement root, string name)
    {
        if (!root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Number)
        {
            return MessagesRequestParser.Invalid($"{name}: Input should be a valid number.", name);
        }

        json.WritePropertyName(name);
        value.WriteTo(json);
        return null;
    }

    private static GatewayError? WriteStops(Utf8JsonWriter json, JsonElement stops)
    {
        if (stops.ValueKind != JsonValueKind.Array)
        {
            return MessagesRequestParser.Invalid("stop_sequences: Input should be a valid list.", "stop_sequences");
        }

        json.WriteStartArray("stop"u8);
        foreach (var stop in stops.EnumerateArray())
        {
            if (stop.ValueKind != JsonValueKind.String)
            {
                return MessagesRequestParser.Invalid("stop_sequences: every item should be a string.", "stop_sequences");
            }

            json.WriteStringValue(stop.GetString());
        }

        json.WriteEndArray();
        return null;
    }

    /// <summary>A <c>system</c> value (a string or text blocks) as one system message.</summary>
    private static GatewayError? WriteSystem(Utf8JsonWriter json, JsonElement system, string path, DroppedFields dropped)
    {
        string text;
        if (system.ValueKind == JsonValueKind.String)
        {
            text = system.GetString()!;
        }
        else if (system.ValueKind == JsonValueKind.Array)
        {
            var joined = new StringBuilder();
            var index = 0;
            foreach (var block in system.EnumerateArray())
            {
                var at = $"{path}.{index++}";
                if (TypeOf(block, at, out var blockError) is not { } type)
                {
                    return blockError;
                }

                if (type != "text" || !block.TryGetProperty("text", out var value) || value.ValueKind != JsonValueKind.String)
                {
                    return MessagesRequestParser.Invalid($"{at}: system blocks must be text blocks with a string 'text'.", path);
                }

                NoteCacheControl(block, dropped);
                if (joined.Length > 0)
                {
                    joined.Append('\n');
                }

                joined.Append(value.GetString());
            }

            text = joined.ToString();
        }
        else if (system.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        else
        {
            return MessagesRequestParser.Invalid($"{path}: Input should be a string or a list of text blocks.", path);
        }

        json.WriteStartObject();
        json.WriteString("role"u8, "system"u8);
        json.WriteString("content"u8, text);
        json.WriteEndObject();
        return null;
    }

    private static GatewayError? WriteMessages(Utf8JsonWriter json, JsonElement messages, DroppedFields dropped)
    {
        // The tool_use ids of the last assistant turn: a tool_result must answer one of them (as Anthropic checks).
        var openToolUses = new HashSet<string>(StringComparer.Ordinal);
        var count = 0;
        foreach (var message in messages.EnumerateArray())
        {
            var path = $"messages.{count++}";
            if (message.ValueKind != JsonValueKind.Object)
            {
                return MessagesRequestParser.Invalid($"{path}: Input should be an object.", "messages");
            }

            if (!message.TryGetProperty("role", out var role) || role.ValueKind != JsonValueKind.String)
            {
                return MessagesRequestParser.Invalid($"{path}.role: Field required.", "messages");
            }

            if (!message.TryGetProperty("content", out var content) || content.ValueKind is not (JsonValueKind.String or JsonValueKind.Array))
            {
                return MessagesRequestParser.Invalid($"{path}.content: Field required (a string or a list of content blocks).", "messages");
            }

            var error = role.GetString() switch
            {
                "user" => MessagesUserTurn.Write(json, content, path, openToolUses, dropped),
                "assistant" => WriteAssistant(json, content, path, openToolUses, dropped),

                // Claude Code puts role:"system" entries between turns; they keep their place as system messages.
                "system" => WriteSystem(json, content, path + ".content", dropped),
                var other => MessagesRequestParser.Invalid($"{path}.role: Input should be 'user' or 'assistant' (got '{other}').", "messages"),
            };
            if (error is not null)
            {
                return error;
            }
        }

        return count == 0 ? MessagesRequestParser.Invalid("messages: at least one message is required.", "messages") : null;
    }

    private static GatewayError? WriteAssistant(Utf8JsonWriter json, JsonElement content, string path, HashSet<string> openToolUses, DroppedFields dropped)
    {
        openToolUses.Clear();
        json.WriteStartObject();
        json.WriteString("role"u8, "assistant"u8);
        if (content.ValueKind == JsonValueKind.String)
        {
            json.WriteString("content"u8, content.GetString());
            json.WriteEndObject();
            return null;
        }

        var text = new StringBuilder();
        var hasText = false;
        var calls = new List<(string Id, string Name, string Arguments)>();
        var index = 0;
        foreach (var block in content.EnumerateArray())
        {
            var at = $"{path}.content.{index++}";
            if (TypeOf(block, at, out var error) is not { } type)
            {
                return error;
            }

            NoteCacheControl(block, dropped);
            switch (type)
            {
                case "text":
                    if (!block.TryGetProperty("text", out var value) || value.ValueKind != JsonValueKind.String)
                    {
                        return MessagesRequestParser.Invalid($"{at}.text: Field required.", "messages");
                    }

                    text.Append(value.GetString());
                    hasText = true;
                    break;
                case "tool_use":
                    if (!block.TryGetProperty("id", out var id) || id.ValueKind != JsonValueKind.String
                        || !block.TryGetProperty("name", out var name) || name.ValueKind != JsonValueKind.String
                        || !block.TryGetProperty("input", out var input) || input.ValueKind != JsonValueKind.Object)
                    {
                        return MessagesRequestParser.Invalid($"{at}: a tool_use block needs a string 'id', a string 'name' and an object 'input'.", "messages");
                    }

                    openToolUses.Add(id.GetString()!);
                    calls.Add((id.GetString()!, name.GetString()!, input.GetRawText()));
                    break;
                case "tool_result" or "image" or "document":
                    return MessagesRequestParser.Invalid($"{at}.type: a '{type}' block is not allowed in an assistant message.", "messages");
                case "thinking" or "redacted_thinking":
                    dropped.Add("thinking");
                    break;
                default:
                    // Server tool blocks and newer kinds have no chat completions equivalent.
                    dropped.Add(type + " blocks");
                    break;
            }
        }

        if (hasText || calls.Count == 0)
        {
            json.WriteString("content"u8, text.ToString());
        }
        else
        {
            json.WriteNull("content"u8);
        }

        if (calls.Count > 0)
        {
            json.WriteStartArray("tool_calls"u8);
            foreach (var (id, name, arguments) in calls)
            {
                json.WriteStartObject();
                json.WriteString("id"u8, id);
                json.WriteString("type"u8, "function"u8);
                json.WriteStartObject("function"u8);
                json.WriteString("name"u8, name);
                json.WriteString("arguments"u8, arguments);
                json.WriteEndObject();
                json.WriteEndObject();
            }

            json.WriteEndArray();
        }

        json.WriteEndObject();
        return null;
    }

    /// <summary>
    /// A block's <c>type</c>, or null with the error when the block is not an object with a string type, or is an
    /// OpenAI part sent to the wrong API. Other unknown types are Anthropic's newer blocks: dropped, not refused.
    /// </summary>
    public static string? TypeOf(JsonElement block, string path, out GatewayError? error)
    {
        if (block.ValueKind != JsonValueKind.Object || !block.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String)
        {
            error = MessagesRequestParser.Invalid($"{path}: a content block must be an object with a string 'type'.", "messages");
            return null;
        }

        var name = type.GetString()!;
        if (OpenAiPartTypes.Contains(name))
        {
            error = MessagesRequestParser.Invalid(
                $"{path}.type: '{name}' is an OpenAI content part, not a Messages block (use 'text', 'image', 'document', 'tool_use' or 'tool_result').", "messages");
            return null;
        }

        error = null;
        return name;
    }

    public static void NoteCacheControl(JsonElement block, DroppedFields dropped)
    {
        if (block.TryGetProperty("cache_control", out _))
        {
            dropped.Add("cache_control");
        }
    }
}
