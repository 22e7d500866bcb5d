using System.Text;
using System.Text.Json;

namespace ModelGateway.Capture;

/// <summary>
/// Reads the canonical answer a client received (an OpenAI chat completion, or its chunk stream) back into one
/// assistant message: choice 0's text and tool calls, fragments joined by index. Anything but a clean, finished
/// answer (an error event, no finish, a <c>length</c> or <c>content_filter</c> stop, nothing said) reads as null.
/// </summary>
internal static class AnswerReader
{
    public static CapturedAnswer? Read(ReadOnlySpan<byte> body, bool eventStream)
    {
        try
        {
            return eventStream ? ReadStream(body) : ReadWhole(body);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException)
        {
            return null;
        }
    }

    private static CapturedAnswer? ReadWhole(ReadOnlySpan<byte> body)
    {
        var reader = new Utf8JsonReader(body);
        using var document = JsonDocument.ParseValue(ref reader);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("choices", out var choices) || choices.ValueKind != JsonValueKind.Array)
        {
            return null;
        }

        foreach (var choice in choices.EnumerateArray())
        {
            if (Index(choice) != 0 || !choice.TryGetProperty("message", out var message) || message.ValueKind != JsonValueKind.Object)
            {
                continue;
            }

            var calls = new List<CapturedToolCall>();
            if (message.TryGetProperty("tool_calls", out var toolCalls) && toolCalls.ValueKind == JsonValueKind.Array)
            {
                foreach (var call in toolCalls.EnumerateArray())
                {
                    if (call.ValueKind != JsonValueKind.Object || !call.TryGetProperty("function", out var function) || function.ValueKind != JsonValueKind.Object)
                    {
                        return null;
                    }

                    calls.Add(new CapturedToolCall(Text(call, "id") ?? "", Text(function, "name") ?? "", Text(function, "arguments") ?? ""));
                }
            }

            return Finished(Text(message, "content"), calls, Text(choice, "finish_reason"));
        }

        return null;
    }

    private static CapturedAnswer? ReadStream(ReadOnlySpan<byte> body)
    {
        var content = new StringBuilder();
        var sawContent = false;
        var calls = new SortedDictionary<int, (string? Id, string? Name, StringBuilder Arguments)>();
        string? finish = null;
        var done = false;
        while (!body.IsEmpty)
        {
            var end = body.IndexOf((byte)'\n');
            var line = end < 0 ? body : body[..end];
            body = end < 0 ? [] : body[(end + 1)..];
            line = line.TrimEnd((byte)'\r');
            if (!line.StartsWith("data:"u8))
            {
                continue;
            }

            var data = line[5..].TrimStart((byte)' ');
            if (data.SequenceEqual("[DONE]"u8))
            {
                done = true;
                continue;
            }

            using var document = JsonDocument.Parse(data.ToArray());
            var chunk = document.RootElement;
            if (chunk.ValueKind != JsonValueKind.Object || chunk.TryGetProperty("error", out _))
            {
                return null;
            }

            if (!chunk.TryGetProperty("choices", out var choices) || choices.ValueKind != JsonValueKind.Array)
            {
                continue;
            }

            foreach (var choice in choices.EnumerateArray())
            {
                if (Index(choice) != 0)
                {
                    continue;
                }

                if (Text(choice, "finish_reason") is { } reason)
                {
                    finish = reason;
                }

                if (!choice.TryGetProperty("delta", out var delta) || delta.ValueKind != JsonValueKind.Object)
                {
                    continue;
                }

                if (Text(delta, "content") is { } text)
                {
                    content.Append(text);
                    sawContent = true;
                }

                if (delta.TryGetProperty("tool_calls", out var fragments) && fragments.ValueKind == JsonValueKind.Array)
                {
                    foreach (var fragment in fragments.EnumerateArray())
                    {
                        var index = fragment.TryGetProperty("index", out var i) && i.TryGetInt32(out var n) ? n : 0;
                        if (!calls.TryGetValue(index, out var call))
                        {
                            call = (null, null, new StringBuilder());
                        }

                        call.Id ??= Text(fragment, "id");
                        if (fragment.TryGetProperty("function", out var function) && function.ValueKind == JsonValueKind.Object)
                        {
                            call.Name ??= Text(function, "name");
                            call.Arguments.Append(Text(function, "arguments"));
                        }

                        calls[index] = call;
                    }
                }
            }
        }

        if (!done)
        {
            return null;
        }

        var toolCalls = calls.Values.Select(c => new CapturedToolCall(c.Id ?? "", c.Name ?? "", c.Arguments.ToString())).ToList();
        return Finished(sawContent ? content.ToString() : null, toolCalls, finish);
    }

    private static CapturedAnswer? Finished(string? content, List<CapturedToolCall> calls, string? finish)
    {
        // Only answers the model finished on its own terms are worth training on.
        if (finish is not ("stop" or "tool_calls") || (string.IsNullOrEmpty(content) && calls.Count == 0))
        {
            return null;
        }

        return new CapturedAnswer(string.IsNullOrEmpty(content) ? null : content, calls, finish);
    }

    private static int Index(JsonElement choice) =>
        choice.TryGetProperty("index", out var index) && index.TryGetInt32(out var value) ? value : 0;

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
