using System.Text.Json;
using ModelGateway.Providers;
using ModelGateway.Requests;

namespace ModelGateway.FrontDoor.Protocols.Responses;

/// <summary>Renders a whole chat completion (the canonical answer) as a Responses response object.</summary>
internal static class ChatCompletionRenderer
{
    public static byte[] Render(ResponsesExchange exchange, ReadOnlySpan<byte> completion, out List<byte[]> output)
    {
        output = [];
        var state = ResponseState.InProgress with { Status = "completed" };
        TokenUsage? usage = UsageJsonReader.TryRead(completion, out var read) ? read : null;
        try
        {
            var reader = new Utf8JsonReader(completion);
            using var document = JsonDocument.ParseValue(ref reader);
            var root = document.RootElement;
            if (root.TryGetProperty("choices", out var choices) && choices.ValueKind == JsonValueKind.Array && choices.GetArrayLength() > 0)
            {
                var choice = choices[0];
                var finish = choice.TryGetProperty("finish_reason", out var f) && f.ValueKind == JsonValueKind.String ? f.GetString() : null;
                state = StateOf(finish);
                if (choice.TryGetProperty("message", out var message) && message.ValueKind == JsonValueKind.Object)
                {
                    AddItems(exchange.Request, message, output, state.Status == "incomplete");
                }
            }
        }
        catch (JsonException)
        {
            state = new ResponseState("failed", Error: new GatewayError(502, "server_error", "upstream_invalid_response", "The upstream provider sent a response the gateway could not read."));
        }

        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            ResponseObjectWriter.Write(json, exchange, state, output, usage);
        }

        return buffer.ToArray();
    }

    /// <summary>The response status a chat finish reason means.</summary>
    public static ResponseState StateOf(string? finishReason) => finishReason switch
    {
        "length" => new ResponseState("incomplete", "max_output_tokens"),
        "content_filter" => new ResponseState("incomplete", "content_filter"),
        _ => new ResponseState("completed"),
    };

    private static void AddItems(ResponsesRequest request, JsonElement message, List<byte[]> output, bool incomplete)
    {
        var reasoning = StringOf(message, "reasoning_content") ?? StringOf(message, "reasoning");
        if (!string.IsNullOrEmpty(reasoning))
        {
            var item = new OutputItem(OutputItemKind.Reasoning, output.Count) { EncryptedContent = TranslatedReasoning(request) };
            item.Text.Append(reasoning);
            output.Add(item.ToJson());
        }

        var text = StringOf(message, "content") ?? StringOf(message, "refusal");
        if (!string.IsNullOrEmpty(text))
        {
            var item = new OutputItem(OutputItemKind.Message, output.Count) { Incomplete = incomplete };
            item.Text.Append(text);
            output.Add(item.ToJson());
        }

        if (message.TryGetProperty("tool_calls", out var calls) && calls.ValueKind == JsonValueKind.Array)
        {
            foreach (var call in calls.EnumerateArray())
            {
                var function = call.GetProperty("function");
                var (space, name) = request.ClientName(StringOf(function, "name") ?? string.Empty);
                var item = new OutputItem(OutputItemKind.FunctionCall, output.Count, StringOf(call, "id"), name, space);
                item.Text.Append(StringOf(function, "arguments") ?? "{}");
                output.Add(item.ToJson());
            }
        }
    }

    /// <summary>The <c>encrypted_content</c> of reasoning rendered from a chat upstream, when asked for: a tag no provider accepts back.</summary>
    public static string? TranslatedReasoning(ResponsesRequest request) =>
        request.IncludesEncryptedReasoning ? Providers.OpenAi.EncryptedReasoningTag.Translated : null;

    private static string? StringOf(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
