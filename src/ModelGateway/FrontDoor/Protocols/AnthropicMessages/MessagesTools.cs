using System.Text.Json;
using ModelGateway.Requests;

namespace ModelGateway.FrontDoor.Protocols.AnthropicMessages;

/// <summary>
/// Messages <c>tools</c> and <c>tool_choice</c> as chat completions function tools: client tools (an
/// <c>input_schema</c>) become functions; server tools (a versioned <c>type</c>, no schema) have no equivalent and are
/// dropped. <c>any</c> is <c>required</c>; <c>disable_parallel_tool_use</c> is <c>parallel_tool_calls: false</c>.
/// </summary>
internal static class MessagesTools
{
    public static GatewayError? Write(Utf8JsonWriter json, JsonElement root, DroppedFields dropped)
    {
        var written = 0;
        if (root.TryGetProperty("tools", out var tools) && tools.ValueKind != JsonValueKind.Null)
        {
            if (tools.ValueKind != JsonValueKind.Array)
            {
                return MessagesRequestParser.Invalid("tools: Input should be a valid list.", "tools");
            }

            var index = 0;
            foreach (var tool in tools.EnumerateArray())
            {
                var at = $"tools.{index++}";
                if (tool.ValueKind != JsonValueKind.Object)
                {
                    return MessagesRequestParser.Invalid($"{at}: Input should be an object.", "tools");
                }

                var type = tool.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
                if (type is not (null or "custom") || !tool.TryGetProperty("input_schema", out var schema))
                {
                    dropped.Add("server tools");
                    continue;
                }

                if (!tool.TryGetProperty("name", out var name) || name.ValueKind != JsonValueKind.String || schema.ValueKind != JsonValueKind.Object)
                {
                    return MessagesRequestParser.Invalid($"{at}: a tool needs a string 'name' and an object 'input_schema'.", "tools");
                }

                if (written++ == 0)
                {
                    json.WriteStartArray("tools"u8);
                }

                json.WriteStartObject();
                json.WriteString("type"u8, "function"u8);
                json.WriteStartObject("function"u8);
                json.WriteString("name"u8, name.GetString());
                if (tool.TryGetProperty("description", out var description) && description.ValueKind == JsonValueKind.String)
                {
                    json.WriteString("description"u8, description.GetString());
                }

                json.WritePropertyName("parameters"u8);
                schema.WriteTo(json);
                json.WriteEndObject();
                json.WriteEndObject();
            }

            if (written > 0)
            {
                json.WriteEndArray();
            }
        }

        if (!root.TryGetProperty("tool_choice", out var choice) || choice.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (choice.ValueKind != JsonValueKind.Object || !choice.TryGetProperty("type", out var kind) || kind.ValueKind != JsonValueKind.String)
        {
            return MessagesRequestParser.Invalid("tool_choice: Input should be an object with a string 'type'.", "tool_choice");
        }

        if (written == 0)
        {
            // Chat completions refuses a tool_choice without tools; with none left there is nothing to choose.
            return null;
        }

        switch (kind.GetString())
        {
            case "auto":
                json.WriteString("tool_choice"u8, "auto"u8);
                break;
            case "any":
                json.WriteString("tool_choice"u8, "required"u8);
                break;
            case "none":
                json.WriteString("tool_choice"u8, "none"u8);
                break;
            case "tool" when choice.TryGetProperty("name", out var name) && name.ValueKind == JsonValueKind.String:
                json.WriteStartObject("tool_choice"u8);
                json.WriteString("type"u8, "function"u8);
                json.WriteStartObject("function"u8);
                json.WriteString("name"u8, name.GetString());
                json.WriteEndObject();
                json.WriteEndObject();
                break;
            default:
                return MessagesRequestParser.Invalid("tool_choice.type: Input should be 'auto', 'any', 'tool' (with a 'name') or 'none'.", "tool_choice");
        }

        if (choice.TryGetProperty("disable_parallel_tool_use", out var disable) && disable.ValueKind == JsonValueKind.True)
        {
            json.WriteBoolean("parallel_tool_calls"u8, false);
        }

        return null;
    }
}
