using System.Buffers;
using System.Text.Json;
using ModelGateway.Pipeline;
using ModelGateway.Requests;

namespace ModelGateway.FrontDoor.Protocols.Responses;

/// <summary>
/// Writes a Responses request as the canonical OpenAI chat completions body the translating adapters read:
/// instructions and system/developer messages become system messages, <c>function_call</c> items join the assistant
/// turn as <c>tool_calls</c>, <c>function_call_output</c> items become <c>tool</c> messages, reasoning items and
/// built-in tool items are left out (a chat upstream cannot read them), function tools go flat (a namespace's
/// functions, and calls to them, under their flat names: <see cref="ResponsesRequest.UpstreamName"/>).
/// </summary>
internal static class CanonicalChatWriter
{
    public static CanonicalRequest? Write(ResponsesRequest request, out GatewayError? error, bool checkCallOutputs = true)
    {
        try
        {
            return WriteCore(request, out error, checkCallOutputs);
        }
        catch (InvalidOperationException)
        {
            // A string that is not valid text (an unpaired surrogate escape) cannot be carried to another protocol.
            error = RequestErrors.InvalidText();
            return null;
        }
    }

    private static CanonicalRequest? WriteCore(ResponsesRequest request, out GatewayError? error, bool checkCallOutputs)
    {
        var buffer = new ArrayBufferWriter<byte>(4096);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("model"u8, request.Model);
            json.WriteStartArray("messages"u8);
            if (request.Instructions is { } instructions)
            {
                json.WriteStartObject();
                json.WriteString("role"u8, "system"u8);
                json.WriteString("content"u8, instructions);
                json.WriteEndObject();
            }

            if (!WriteMessages(json, request, checkCallOutputs, out error))
            {
                return null;
            }

            json.WriteEndArray();
            WriteOptions(json, request);
            json.WriteEndObject();
        }

        var body = RequestBody.Copy(buffer.WrittenSpan);
        if (FrontDoor.ChatRequestParser.Parse(body.Span, out error) is not { } chat)
        {
            body.Dispose();
            return null;
        }

        return new CanonicalRequest(body, chat, chat.ModelToken);
    }

    private static bool WriteMessages(Utf8JsonWriter json, ResponsesRequest request, bool checkCallOutputs, out GatewayError? error)
    {
        error = null;
        var items = request.InputItems;
        var calls = new HashSet<string>(StringComparer.Ordinal);
        var assistantOpen = false;
        var toolCallsOpen = false;
        for (var index = 0; index < items.Count; index++)
        {
            using var document = JsonDocument.Parse(items[index]);
            var item = document.RootElement;
            var type = item.TryGetProperty("type", out var t) ? t.GetString() : "message";
            switch (type)
            {
                case "message":
                    CloseAssistant(json, ref assistantOpen, ref toolCallsOpen);
                    var role = item.GetProperty("role").GetString()!;
                    if (role == "assistant")
                    {
                        // Left open: function calls that follow join this turn as its tool_calls.
                        json.WriteStartObject();
                        json.WriteString("role"u8, "assistant"u8);
                        json.WriteString("content"u8, TextOf(item.GetProperty("content")));
                        assistantOpen = true;
                    }
                    else
                    {
                        json.WriteStartObject();
                        json.WriteString("role"u8, role == "user" ? "user" : "system");
                        WriteContent(json, item.GetProperty("content"));
                        json.WriteEndObject();
                    }

                    break;
                case "function_call":
                    if (!assistantOpen)
                    {
                        json.WriteStartObject();
                        json.WriteString("role"u8, "assistant"u8);
                        json.WriteNull("content"u8);
                        assistantOpen = true;
                    }

                    if (!toolCallsOpen)
                    {
                        json.WriteStartArray("tool_calls"u8);
                        toolCallsOpen = true;
                    }

                    var callId = item.GetProperty("call_id").GetString()!;
                    calls.Add(callId);
                    json.WriteStartObject();
                    json.WriteString("id"u8, callId);
                    json.WriteString("type"u8, "function"u8);
                    json.WriteStartObject("function"u8);
                    var space = item.TryGetProperty("namespace", out var ns) && ns.ValueKind == JsonValueKind.String ? ns.GetString() : null;
                    json.WriteString("name"u8, request.UpstreamName(space, item.GetProperty("name").GetString()!));
                    json.WriteString("arguments"u8, item.GetProperty("arguments").GetString());
                    json.WriteEndObject();
                    json.WriteEndObject();
                    break;
                case "function_call_output":
                    CloseAssistant(json, ref assistantOpen, ref toolCallsOpen);
                    var outputFor = item.GetProperty("call_id").GetString()!;
                    if (checkCallOutputs && !calls.Contains(outputFor))
                    {
                        error = GatewayError.InvalidRequest(
                            $"No tool call found for function call output with call_id {outputFor}.", $"input[{index}].call_id", "invalid_value");
                        return false;
                    }

                    json.WriteStartObject();
                    json.WriteString("role"u8, "tool"u8);
                    json.WriteString("tool_call_id"u8, outputFor);
                    var output = item.GetProperty("output");
                    json.WriteString("content"u8, output.ValueKind == JsonValueKind.String ? output.GetString() : TextOf(output));
                    json.WriteEndObject();
                    break;
                default:
                    // Reasoning (encrypted for the provider that made it) and built-in tool items: not for a chat upstream.
                    break;
            }
        }

        CloseAssistant(json, ref assistantOpen, ref toolCallsOpen);
        return true;
    }

    private static void CloseAssistant(Utf8JsonWriter json, ref bool assistantOpen, ref bool toolCallsOpen)
    {
        if (toolCallsOpen)
        {
            json.WriteEndArray();
            toolCallsOpen = false;
        }

        if (assistantOpen)
        {
            json.WriteEndObject();
            assistantOpen = false;
        }
    }

    /// <summary>Text parts joined (a string stays a string); images become <c>image_url</c> parts.</summary>
    private static void WriteContent(Utf8JsonWriter json, JsonElement content)
    {
        if (content.ValueKind == JsonValueKind.String || !HasImage(content))
        {
            json.WriteString("content"u8, TextOf(content));
            return;
        }

        json.WriteStartArray("content"u8);
        foreach (var part in content.EnumerateArray())
        {
            json.WriteStartObject();
            if (part.GetProperty("type").GetString() == "input_image")
            {
                json.WriteString("type"u8, "image_url"u8);
                json.WriteStartObject("image_url"u8);
                json.WriteString("url"u8, part.GetProperty("image_url").GetString());
                if (part.TryGetProperty("detail", out var detail) && detail.ValueKind == JsonValueKind.String)
                {
                    json.WriteString("detail"u8, detail.GetString());
                }

                json.WriteEndObject();
            }
            else
            {
                json.WriteString("type"u8, "text"u8);
                json.WriteString("text"u8, part.TryGetProperty("text", out var text) ? text.GetString() : string.Empty);
            }

            json.WriteEndObject();
        }

        json.WriteEndArray();
    }

    private static bool HasImage(JsonElement content)
    {
        foreach (var part in content.EnumerateArray())
        {
            if (part.GetProperty("type").GetString() == "input_image")
            {
                return true;
            }
        }

        return false;
    }

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

        var texts = new List<string>();
        foreach (var part in content.EnumerateArray())
        {
            if (part.ValueKind == JsonValueKind.Object && part.TryGetProperty("text", out var text) && text.ValueKind == JsonValueKind.String)
            {
                texts.Add(text.GetString()!);
            }
            else if (part.ValueKind == JsonValueKind.Object && part.TryGetProperty("refusal", out var refusal) && refusal.ValueKind == JsonValueKind.String)
            {
                texts.Add(refusal.GetString()!);
            }
        }

        return string.Join('\n', texts);
    }

    private static void WriteOptions(Utf8JsonWriter json, ResponsesRequest request)
    {
        if (request.Functions.Count > 0)
        {
            json.WriteStartArray("tools"u8);
            foreach (var function in request.Functions)
            {
                using var document = JsonDocument.Parse(function.Json);
                var tool = document.RootElement;
                json.WriteStartObject();
                json.WriteString("type"u8, "function"u8);
                json.WriteStartObject("function"u8);
                json.WriteString("name"u8, function.Name);
                foreach (var field in tool.EnumerateObject())
                {
                    if (field.NameEquals("description"u8) || field.NameEquals("parameters"u8) || field.NameEquals("strict"u8))
                    {
                        if (field.Value.ValueKind != JsonValueKind.Null)
                        {
                            field.WriteTo(json);
                        }
                    }
                }

                json.WriteEndObject();
                json.WriteEndObject();
            }

            json.WriteEndArray();
            WriteToolChoice(json, request);
            json.WriteBoolean("parallel_tool_calls"u8, request.ParallelToolCalls);
        }

        if (request.MaxOutputTokens is { } max)
        {
            json.WriteNumber("max_completion_tokens"u8, max);
        }

        WriteRaw(json, "temperature"u8, request.TemperatureJson);
        WriteRaw(json, "top_p"u8, request.TopPJson);
        if (request.ReasoningEffort is { } effort)
        {
            json.WriteString("reasoning_effort"u8, effort);
        }

        WriteResponseFormat(json, request.TextJson);
        if (request.User is { } user)
        {
            json.WriteString("user"u8, user);
        }

        if (request.PromptCacheKey is { } cacheKey)
        {
            json.WriteString("prompt_cache_key"u8, cacheKey);
        }

        if (request.Stream)
        {
            json.WriteBoolean("stream"u8, true);

            // The renderer needs the usage for response.completed whether the client asked or not.
            json.WriteStartObject("stream_options"u8);
            json.WriteBoolean("include_usage"u8, true);
            json.WriteEndObject();
        }
    }

    private static void WriteToolChoice(Utf8JsonWriter json, ResponsesRequest request)
    {
        if (request.ToolChoiceJson is not { } raw)
        {
            return;
        }

        using var document = JsonDocument.Parse(raw);
        var choice = document.RootElement;
        if (choice.ValueKind == JsonValueKind.String)
        {
            json.WriteString("tool_choice"u8, choice.GetString());
        }
        else if (choice.TryGetProperty("type", out var type) && type.GetString() == "function")
        {
            json.WriteStartObject("tool_choice"u8);
            json.WriteString("type"u8, "function"u8);
            json.WriteStartObject("function"u8);
            var space = choice.TryGetProperty("namespace", out var ns) && ns.ValueKind == JsonValueKind.String ? ns.GetString() : null;
            json.WriteString("name"u8, request.UpstreamName(space, choice.GetProperty("name").GetString()!));
            json.WriteEndObject();
            json.WriteEndObject();
        }
        else if (choice.TryGetProperty("mode", out var mode) && mode.ValueKind == JsonValueKind.String)
        {
            // allowed_tools: the chat form of its mode (auto or required).
            json.WriteString("tool_choice"u8, mode.GetString());
        }
    }

    /// <summary><c>text.format</c> as chat's <c>response_format</c> (json_schema fields are flat in Responses, nested in chat).</summary>
    private static void WriteResponseFormat(Utf8JsonWriter json, string? textJson)
    {
        if (textJson is null)
        {
            return;
        }

        using var document = JsonDocument.Parse(textJson);
        if (!document.RootElement.TryGetProperty("format", out var format) || format.ValueKind != JsonValueKind.Object)
        {
            return;
        }

        var type = format.GetProperty("type").GetString();
        if (type == "text")
        {
            return;
        }

        json.WriteStartObject("response_format"u8);
        json.WriteString("type"u8, type);
        if (type == "json_schema")
        {
            json.WriteStartObject("json_schema"u8);
            json.WriteString("name"u8, format.TryGetProperty("name", out var name) && name.ValueKind == JsonValueKind.String ? name.GetString() : "response");
            foreach (var field in format.EnumerateObject())
            {
                if ((field.NameEquals("schema"u8) || field.NameEquals("strict"u8) || field.NameEquals("description"u8)) && field.Value.ValueKind != JsonValueKind.Null)
                {
                    field.WriteTo(json);
                }
            }

            json.WriteEndObject();
        }

        json.WriteEndObject();
    }

    private static void WriteRaw(Utf8JsonWriter json, ReadOnlySpan<byte> name, string? raw)
    {
        if (raw is not null)
        {
            json.WritePropertyName(name);
            json.WriteRawValue(raw, skipInputValidation: true);
        }
    }
}
