using System.Text;
using System.Text.Json;
using ModelGateway.Requests;

namespace ModelGateway.FrontDoor.Protocols.AnthropicMessages;

/// <summary>
/// A Messages user turn as chat messages: each <c>tool_result</c> first, as a <c>tool</c> message (chat completions
/// wants them right after the assistant's calls), then one user message with the text and image parts.
/// </summary>
internal static class MessagesUserTurn
{
    public static GatewayError? Write(Utf8JsonWriter json, JsonElement content, string path, HashSet<string> openToolUses, DroppedFields dropped)
    {
        if (content.ValueKind == JsonValueKind.String)
        {
            openToolUses.Clear();
            WriteUser(json, [new Part(false, content.GetString()!)]);
            return null;
        }

        var parts = new List<Part>();
        var hadToolResults = false;
        var index = 0;
        foreach (var block in content.EnumerateArray())
        {
            var at = $"{path}.content.{index++}";
            if (MessagesToChat.TypeOf(block, at, out var error) is not { } type)
            {
                return error;
            }

            MessagesToChat.NoteCacheControl(block, dropped);
            error = type switch
            {
                "text" => AddText(block, at, parts),
                "image" => AddImage(block, at, parts, dropped),
                "document" => AddDocument(block, parts, dropped),
                "tool_result" => WriteToolResult(json, block, at, openToolUses, parts, dropped),
                "tool_use" or "thinking" or "redacted_thinking" =>
                    MessagesRequestParser.Invalid($"{at}.type: a '{type}' block is not allowed in a user message.", "messages"),
                _ => Drop(type, dropped),
            };
            if (error is not null)
            {
                return error;
            }

            hadToolResults |= type == "tool_result";
        }

        openToolUses.Clear();
        if (parts.Count > 0 || !hadToolResults)
        {
            WriteUser(json, parts);
        }

        return null;
    }

    private static GatewayError? Drop(string type, DroppedFields dropped)
    {
        dropped.Add(type + " blocks");
        return null;
    }

    private static GatewayError? AddText(JsonElement block, string at, List<Part> parts)
    {
        if (!block.TryGetProperty("text", out var text) || text.ValueKind != JsonValueKind.String)
        {
            return MessagesRequestParser.Invalid($"{at}.text: Field required.", "messages");
        }

        parts.Add(new Part(false, text.GetString()!));
        return null;
    }

    private static GatewayError? AddImage(JsonElement block, string at, List<Part> parts, DroppedFields dropped)
    {
        if (!block.TryGetProperty("source", out var source) || source.ValueKind != JsonValueKind.Object
            || !source.TryGetProperty("type", out var kind) || kind.ValueKind != JsonValueKind.String)
        {
            return MessagesRequestParser.Invalid($"{at}.source: Field required (an object with a 'type').", "messages");
        }

        switch (kind.GetString())
        {
            case "base64" when source.TryGetProperty("media_type", out var media) && media.ValueKind == JsonValueKind.String
                               && source.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.String:
                parts.Add(new Part(true, "data:" + media.GetString() + ";base64," + data.GetString()));
                return null;
            case "url" when source.TryGetProperty("url", out var url) && url.ValueKind == JsonValueKind.String:
                parts.Add(new Part(true, url.GetString()!));
                return null;
            case "base64" or "url":
                return MessagesRequestParser.Invalid($"{at}.source: a base64 source needs 'media_type' and 'data', a url source 'url'.", "messages");
            default:
                // A Files API reference: nothing a chat completions upstream can fetch.
                dropped.Add("image " + kind.GetString() + " sources");
                return null;
        }
    }

    private static GatewayError? AddDocument(JsonElement block, List<Part> parts, DroppedFields dropped)
    {
        if (block.TryGetProperty("source", out var source) && source.ValueKind == JsonValueKind.Object
            && source.TryGetProperty("type", out var kind) && kind.ValueEquals("text")
            && source.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.String)
        {
            parts.Add(new Part(false, data.GetString()!));
        }
        else
        {
            dropped.Add("document blocks");
        }

        return null;
    }

    private static GatewayError? WriteToolResult(
        Utf8JsonWriter json, JsonElement block, string at, HashSet<string> openToolUses, List<Part> parts, DroppedFields dropped)
    {
        if (!block.TryGetProperty("tool_use_id", out var id) || id.ValueKind != JsonValueKind.String)
        {
            return MessagesRequestParser.Invalid($"{at}.tool_use_id: Field required.", "messages");
        }

        if (!openToolUses.Contains(id.GetString()!))
        {
            return MessagesRequestParser.Invalid(
                $"{at}: unexpected tool_use_id found in tool_result blocks: {id.GetString()}. Each tool_result block must have a corresponding tool_use block in the previous message.",
                "messages");
        }

        var text = new StringBuilder();
        if (block.TryGetProperty("is_error", out var isError) && isError.ValueKind == JsonValueKind.True)
        {
            // Chat completions has no error flag on a tool message; the model reads it in the text.
            text.Append("Error: ");
        }

        if (block.TryGetProperty("content", out var content))
        {
            if (content.ValueKind == JsonValueKind.String)
            {
                text.Append(content.GetString());
            }
            else if (content.ValueKind == JsonValueKind.Array)
            {
                var index = 0;
                foreach (var inner in content.EnumerateArray())
                {
                    var innerAt = $"{at}.content.{index++}";
                    if (MessagesToChat.TypeOf(inner, innerAt, out var error) is not { } type)
                    {
                        return error;
                    }

                    if (type == "text" && inner.TryGetProperty("text", out var value) && value.ValueKind == JsonValueKind.String)
                    {
                        text.Append(text.Length > 0 && text[^1] != ' ' ? "\n" : string.Empty).Append(value.GetString());
                    }
                    else if (type == "image")
                    {
                        // Tool messages carry text only; the image goes to the user message that follows.
                        if (AddImage(inner, innerAt, parts, dropped) is { } imageError)
                        {
                            return imageError;
                        }
                    }
                    else
                    {
                        dropped.Add(type + " blocks");
                    }
                }
            }
            else if (content.ValueKind != JsonValueKind.Null)
            {
                return MessagesRequestParser.Invalid($"{at}.content: Input should be a string or a list of blocks.", "messages");
            }
        }

        json.WriteStartObject();
        json.WriteString("role"u8, "tool"u8);
        json.WriteString("tool_call_id"u8, id.GetString());
        json.WriteString("content"u8, text.ToString());
        json.WriteEndObject();
        return null;
    }

    private static void WriteUser(Utf8JsonWriter json, List<Part> parts)
    {
        json.WriteStartObject();
        json.WriteString("role"u8, "user"u8);
        if (!parts.Exists(p => p.IsImage))
        {
            // Text only: one string, which every OpenAI-compatible server reads (not all read part arrays).
            json.WriteString("content"u8, string.Join("\n\n", parts.Select(p => p.Value)));
        }
        else
        {
            json.WriteStartArray("content"u8);
            foreach (var part in parts)
            {
                json.WriteStartObject();
                if (part.IsImage)
                {
                    json.WriteString("type"u8, "image_url"u8);
                    json.WriteStartObject("image_url"u8);
                    json.WriteString("url"u8, part.Value);
                    json.WriteEndObject();
                }
                else
                {
                    json.WriteString("type"u8, "text"u8);
                    json.WriteString("text"u8, part.Value);
                }

                json.WriteEndObject();
            }

            json.WriteEndArray();
        }

        json.WriteEndObject();
    }

    private readonly record struct Part(bool IsImage, string Value);
}
