using System.Text;
using System.Text.Json;
using ModelGateway.Requests;

namespace ModelGateway.Experiments;

/// <summary>
/// Reads a collected answer into an <see cref="Answer"/>: OpenAI chat completions (the canonical form every shadow
/// call answers in), and the client-side forms of a live answer, Anthropic Messages and the Responses API, whole
/// or streamed. Null when the bytes are not a readable answer (cut short, an error, another format).
/// </summary>
internal static class AnswerReader
{
    public static Answer? Read(ReadOnlySpan<byte> body, string? contentType, InboundProtocol protocol)
    {
        try
        {
            var streamed = contentType?.StartsWith("text/event-stream", StringComparison.OrdinalIgnoreCase) == true;
            return protocol switch
            {
                InboundProtocol.AnthropicMessages => streamed ? AnthropicStream(body) : AnthropicJson(body),
                InboundProtocol.OpenAiResponses => streamed ? ResponsesStream(body) : ResponsesJson(body),
                _ => streamed ? ChatStream(body) : ChatJson(body),
            };
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static Answer? ChatJson(ReadOnlySpan<byte> body)
    {
        using var document = JsonDocument.Parse(body.ToArray());
        if (!document.RootElement.TryGetProperty("choices", out var choices) || choices.ValueKind != JsonValueKind.Array || choices.GetArrayLength() == 0
            || !choices[0].TryGetProperty("message", out var message))
        {
            return null;
        }

        var text = message.TryGetProperty("content", out var content) && content.ValueKind == JsonValueKind.String ? content.GetString()! : string.Empty;
        var calls = new List<AnswerToolCall>();
        if (message.TryGetProperty("tool_calls", out var toolCalls) && toolCalls.ValueKind == JsonValueKind.Array)
        {
            foreach (var call in toolCalls.EnumerateArray())
            {
                if (call.TryGetProperty("function", out var function))
                {
                    calls.Add(new AnswerToolCall(String(function, "name"), String(function, "arguments")));
                }
            }
        }

        return new Answer(text, calls);
    }

    private static Answer? ChatStream(ReadOnlySpan<byte> body)
    {
        var text = new StringBuilder();
        var names = new SortedDictionary<int, string>();
        var arguments = new SortedDictionary<int, StringBuilder>();
        var done = false;
        foreach (var (_, data) in Events(body))
        {
            if (data == "[DONE]")
            {
                done = true;
                continue;
            }

            using var chunk = JsonDocument.Parse(data);
            var root = chunk.RootElement;
            if (root.TryGetProperty("error", out _))
            {
                return null;
            }

            if (!root.TryGetProperty("choices", out var choices) || choices.ValueKind != JsonValueKind.Array)
            {
                continue;
            }

            foreach (var choice in choices.EnumerateArray())
            {
                if (choice.TryGetProperty("index", out var index) && index.GetInt32() != 0 || !choice.TryGetProperty("delta", out var delta))
                {
                    continue;
                }

                if (delta.TryGetProperty("content", out var content) && content.ValueKind == JsonValueKind.String)
                {
                    text.Append(content.GetString());
                }

                if (delta.TryGetProperty("tool_calls", out var calls) && calls.ValueKind == JsonValueKind.Array)
                {
                    foreach (var call in calls.EnumerateArray())
                    {
                        var k = call.TryGetProperty("index", out var callIndex) ? callIndex.GetInt32() : 0;
                        if (call.TryGetProperty("function", out var function))
                        {
                            if (function.TryGetProperty("name", out var name) && name.ValueKind == JsonValueKind.String)
                            {
                                names[k] = name.GetString()!;
                            }

                            if (function.TryGetProperty("arguments", out var fragment) && fragment.ValueKind == JsonValueKind.String)
                            {
                                (arguments.TryGetValue(k, out var sb) ? sb : arguments[k] = new StringBuilder()).Append(fragment.GetString());
                            }
                        }
                    }
                }
            }
        }

        return done ? new Answer(text.ToString(), [.. names.Select(n => new AnswerToolCall(n.Value, arguments.GetValueOrDefault(n.Key)?.ToString() ?? ""))]) : null;
    }

    private static Answer? AnthropicJson(ReadOnlySpan<byte> body)
    {
        using var document = JsonDocument.Parse(body.ToArray());
        if (!document.RootElement.TryGetProperty("content", out var blocks) || blocks.ValueKind != JsonValueKind.Array)
        {
            return null;
        }

        var text = new StringBuilder();
        var calls = new List<AnswerToolCall>();
        foreach (var block in blocks.EnumerateArray())
        {
            switch (String(block, "type"))
            {
                case "text":
                    text.Append(String(block, "text"));
                    break;
                case "tool_use":
                    calls.Add(new AnswerToolCall(String(block, "name"), block.TryGetProperty("input", out var input) ? input.GetRawText() : "{}"));
                    break;
            }
        }

        return new Answer(text.ToString(), calls);
    }

    private static Answer? AnthropicStream(ReadOnlySpan<byte> body)
    {
        var text = new StringBuilder();
        var names = new SortedDictionary<int, string>();
        var inputs = new SortedDictionary<int, StringBuilder>();
        var stopped = false;
        foreach (var (_, data) in Events(body))
        {
            using var document = JsonDocument.Parse(data);
            var root = document.RootElement;
            var index = root.TryGetProperty("index", out var i) && i.ValueKind == JsonValueKind.Number ? i.GetInt32() : 0;
            switch (String(root, "type"))
            {
                case "error":
                    return null;
                case "message_stop":
                    stopped = true;
                    break;
                case "content_block_start" when root.TryGetProperty("content_block", out var block) && String(block, "type") == "tool_use":
                    names[index] = String(block, "name");
                    inputs[index] = new StringBuilder();
                    break;
                case "content_block_delta" when root.TryGetProperty("delta", out var delta):
                    if (String(delta, "type") == "text_delta")
                    {
                        text.Append(String(delta, "text"));
                    }
                    else if (String(delta, "type") == "input_json_delta" && inputs.TryGetValue(index, out var input))
                    {
                        input.Append(String(delta, "partial_json"));
                    }

                    break;
            }
        }

        return stopped
            ? new Answer(text.ToString(), [.. names.Select(n => new AnswerToolCall(n.Value, inputs[n.Key].Length == 0 ? "{}" : inputs[n.Key].ToString()))])
            : null;
    }

    private static Answer? ResponsesJson(ReadOnlySpan<byte> body)
    {
        using var document = JsonDocument.Parse(body.ToArray());
        return ResponseObject(document.RootElement);
    }

    private static Answer? ResponsesStream(ReadOnlySpan<byte> body)
    {
        foreach (var (_, data) in Events(body))
        {
            using var document = JsonDocument.Parse(data);
            var root = document.RootElement;
            if (String(root, "type") is "response.completed" or "response.incomplete" && root.TryGetProperty("response", out var response))
            {
                return ResponseObject(response);
            }
        }

        return null;
    }

    private static Answer? ResponseObject(JsonElement response)
    {
        if (!response.TryGetProperty("output", out var output) || output.ValueKind != JsonValueKind.Array)
        {
            return null;
        }

        var text = new StringBuilder();
        var calls = new List<AnswerToolCall>();
        foreach (var item in output.EnumerateArray())
        {
            switch (String(item, "type"))
            {
                case "message" when item.TryGetProperty("content", out var parts) && parts.ValueKind == JsonValueKind.Array:
                    foreach (var part in parts.EnumerateArray())
                    {
                        if (String(part, "type") == "output_text")
                        {
                            text.Append(String(part, "text"));
                        }
                    }

                    break;
                case "function_call":
                    calls.Add(new AnswerToolCall(String(item, "name"), String(item, "arguments")));
                    break;
            }
        }

        return new Answer(text.ToString(), calls);
    }

    /// <summary>The server-sent events of a body: (event name, data), data lines joined.</summary>
    private static List<(string? Event, string Data)> Events(ReadOnlySpan<byte> body)
    {
        var events = new List<(string?, string)>();
        string? name = null;
        var data = new StringBuilder();
        foreach (var raw in Encoding.UTF8.GetString(body).Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (line.Length == 0)
            {
                if (data.Length > 0)
                {
                    events.Add((name, data.ToString()));
                }

                name = null;
                data.Clear();
            }
            else if (line.StartsWith("data:", StringComparison.Ordinal))
            {
                data.Append(data.Length > 0 ? "\n" : "").Append(line.AsSpan(5).TrimStart(' '));
            }
            else if (line.StartsWith("event:", StringComparison.Ordinal))
            {
                name = line[6..].Trim();
            }
        }

        if (data.Length > 0)
        {
            events.Add((name, data.ToString()));
        }

        return events;
    }

    private static string String(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()!
            : string.Empty;
}
