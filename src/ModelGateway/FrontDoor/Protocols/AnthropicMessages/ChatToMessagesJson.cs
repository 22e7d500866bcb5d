using System.Buffers;
using System.Text.Json;
using ModelGateway.Providers.Translation;
using ModelGateway.Requests;

namespace ModelGateway.FrontDoor.Protocols.AnthropicMessages;

/// <summary>
/// A whole OpenAI chat completion as a Messages response: reasoning content as a <c>thinking</c> block, the text as a
/// <c>text</c> block, each tool call as a <c>tool_use</c> block with its arguments parsed into <c>input</c>; the
/// finish reason mapped to a stop reason and the usage split into uncached and cache-read input.
/// </summary>
internal static class ChatToMessagesJson
{
    /// <summary>The status and body to send for a canonical answer body (an OpenAI error body becomes Anthropic's).</summary>
    public static (int Status, byte[] Body) Translate(ReadOnlySpan<byte> completion)
    {
        var output = new ArrayBufferWriter<byte>(Math.Max(256, completion.Length));
        using var json = new Utf8JsonWriter(output, OpenAiChunkWriter.WriterOptions);
        try
        {
            var reader = new Utf8JsonReader(completion);
            using var document = JsonDocument.ParseValue(ref reader);
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.Object)
            {
                var gatewayError = ChatToMessagesStream.ErrorOf(error);
                AnthropicErrorEnvelope.Write(json, gatewayError);
                json.Flush();
                return (AnthropicErrorEnvelope.Classify(gatewayError).Status, output.WrittenSpan.ToArray());
            }

            WriteMessage(json, root);
            json.Flush();
            return (StatusCodes.Status200OK, output.WrittenSpan.ToArray());
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or KeyNotFoundException)
        {
            json.Reset();
            output.Clear();
            var invalid = new GatewayError(StatusCodes.Status502BadGateway, "server_error", "upstream_invalid_response",
                "The upstream provider sent a response the gateway could not read.");
            AnthropicErrorEnvelope.Write(json, invalid);
            json.Flush();
            return (invalid.Status, output.WrittenSpan.ToArray());
        }
    }

    public static string StopReason(string? finishReason) => finishReason switch
    {
        "length" => "max_tokens",
        "tool_calls" or "function_call" => "tool_use",
        "content_filter" => "refusal",
        _ => "end_turn",
    };

    public static string MessageId(string? upstreamId) =>
        upstreamId is null ? UniqueIds.Next("msg_") : upstreamId.StartsWith("msg_", StringComparison.Ordinal) ? upstreamId : "msg_" + upstreamId;

    private static void WriteMessage(Utf8JsonWriter json, JsonElement root)
    {
        var choice = root.GetProperty("choices")[0];
        var message = choice.GetProperty("message");
        json.WriteStartObject();
        json.WriteString("id"u8, MessageId(root.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String ? id.GetString() : null));
        json.WriteString("type"u8, "message"u8);
        json.WriteString("role"u8, "assistant"u8);
        json.WriteString("model"u8, root.TryGetProperty("model", out var model) && model.ValueKind == JsonValueKind.String ? model.GetString() : string.Empty);
        json.WriteStartArray("content"u8);
        if ((String(message, "reasoning_content") ?? String(message, "reasoning")) is { } thinking)
        {
            json.WriteStartObject();
            json.WriteString("type"u8, "thinking"u8);
            json.WriteString("thinking"u8, thinking);
            json.WriteString("signature"u8, ""u8);
            json.WriteEndObject();
        }

        if (String(message, "content") is { } text)
        {
            json.WriteStartObject();
            json.WriteString("type"u8, "text"u8);
            json.WriteString("text"u8, text);
            json.WriteEndObject();
        }

        if (message.TryGetProperty("tool_calls", out var calls) && calls.ValueKind == JsonValueKind.Array)
        {
            foreach (var call in calls.EnumerateArray())
            {
                WriteToolUse(json, call);
            }
        }

        json.WriteEndArray();
        json.WriteString("stop_reason"u8, StopReason(choice.TryGetProperty("finish_reason", out var finish) && finish.ValueKind == JsonValueKind.String ? finish.GetString() : null));
        json.WriteNull("stop_sequence"u8);
        json.WriteStartObject("usage"u8);
        var usage = root.TryGetProperty("usage", out var u) && u.ValueKind == JsonValueKind.Object ? u : default;
        var prompt = Int(usage, "prompt_tokens");
        var cached = usage.ValueKind == JsonValueKind.Object && usage.TryGetProperty("prompt_tokens_details", out var details) ? Math.Min(Int(details, "cached_tokens"), prompt) : 0;
        json.WriteNumber("input_tokens"u8, prompt - cached);
        json.WriteNumber("cache_creation_input_tokens"u8, 0);
        json.WriteNumber("cache_read_input_tokens"u8, cached);
        json.WriteNumber("output_tokens"u8, Int(usage, "completion_tokens"));
        json.WriteEndObject();
        json.WriteEndObject();
    }

    private static void WriteToolUse(Utf8JsonWriter json, JsonElement call)
    {
        var function = call.GetProperty("function");
        json.WriteStartObject();
        json.WriteString("type"u8, "tool_use"u8);
        json.WriteString("id"u8, String(call, "id") ?? UniqueIds.Next("toolu_"));
        json.WriteString("name"u8, String(function, "name") ?? string.Empty);
        json.WritePropertyName("input"u8);
        var arguments = String(function, "arguments");
        try
        {
            using var parsed = JsonDocument.Parse(arguments ?? "{}");
            if (parsed.RootElement.ValueKind == JsonValueKind.Object)
            {
                parsed.RootElement.WriteTo(json);
            }
            else
            {
                WriteEmptyObject(json);
            }
        }
        catch (JsonException)
        {
            // Arguments that are not JSON cannot be an input object; the model's call is kept with none.
            WriteEmptyObject(json);
        }

        json.WriteEndObject();
    }

    private static void WriteEmptyObject(Utf8JsonWriter json)
    {
        json.WriteStartObject();
        json.WriteEndObject();
    }

    private static string? String(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
        && value.GetString() is { Length: > 0 } text ? text : null;

    private static int Int(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number
        && value.TryGetInt32(out var number) ? Math.Max(number, 0) : 0;
}
