using System.Text.Json;
using ModelGateway.Requests;

namespace ModelGateway.Providers.Gemini;

/// <summary>
/// Writes a Gemini <c>generateContent</c> request from an OpenAI chat request (protocols.md section 3): system and
/// developer messages become <c>systemInstruction</c>, assistant turns <c>model</c> turns, tool results
/// <c>functionResponse</c> parts in a user turn, named by the call they answer.
/// </summary>
internal static class GeminiRequestWriter
{
    /// <summary>Returns why the request cannot be translated (unsupported, or malformed when the flag says so), or null.</summary>
    public static (string Message, string? Param, bool Malformed)? Write(Utf8JsonWriter json, OpenAiChat chat)
    {
        if (chat.N > 1)
        {
            return ("This gateway serves Gemini deployments with one choice per request: 'n' must be 1.", "n", false);
        }

        var callNames = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var turn in chat.Turns)
        {
            foreach (var call in turn.ToolCalls)
            {
                callNames[call.Id] = call.Name;
            }

            if (turn.Role == ChatRole.Tool && !callNames.ContainsKey(turn.ToolCallId!))
            {
                return ($"The tool message for '{turn.ToolCallId}' does not answer a tool call of an earlier assistant message.", "messages", true);
            }
        }

        json.WriteStartObject();
        WriteContents(json, chat, callNames);
        WriteSystem(json, chat);
        WriteTools(json, chat);
        WriteGenerationConfig(json, chat);
        json.WriteEndObject();
        return null;
    }

    private static void WriteContents(Utf8JsonWriter json, OpenAiChat chat, Dictionary<string, string> callNames)
    {
        json.WriteStartArray("contents"u8);
        string? openRole = null;
        foreach (var turn in chat.Turns)
        {
            if (turn.Role == ChatRole.System)
            {
                continue;
            }

            var role = turn.Role == ChatRole.Assistant ? "model" : "user";
            if (role != openRole)
            {
                if (openRole is not null)
                {
                    json.WriteEndArray();
                    json.WriteEndObject();
                }

                json.WriteStartObject();
                json.WriteString("role"u8, role);
                json.WriteStartArray("parts"u8);
                openRole = role;
            }

            WriteParts(json, turn, callNames);
        }

        if (openRole is not null)
        {
            json.WriteEndArray();
            json.WriteEndObject();
        }

        json.WriteEndArray();
    }

    private static void WriteParts(Utf8JsonWriter json, ChatTurn turn, Dictionary<string, string> callNames)
    {
        if (turn.Role == ChatRole.Tool)
        {
            json.WriteStartObject();
            json.WriteStartObject("functionResponse"u8);
            json.WriteString("id"u8, turn.ToolCallId);
            json.WriteString("name"u8, callNames[turn.ToolCallId!]);
            json.WritePropertyName("response"u8);
            WriteToolResult(json, turn.Text);
            json.WriteEndObject();
            json.WriteEndObject();
            return;
        }

        foreach (var part in turn.Parts)
        {
            json.WriteStartObject();
            if (part.Text is { } text)
            {
                json.WriteString("text"u8, text);
            }
            else if (part.ImageUrl is { } url)
            {
                json.WriteStartObject("fileData"u8);
                json.WriteString("mimeType"u8, MediaTypeOf(url));
                json.WriteString("fileUri"u8, url);
                json.WriteEndObject();
            }
            else
            {
                json.WriteStartObject("inlineData"u8);
                json.WriteString("mimeType"u8, part.MediaType);
                json.WriteString("data"u8, part.Base64Data);
                json.WriteEndObject();
            }

            json.WriteEndObject();
        }

        foreach (var call in turn.ToolCalls)
        {
            json.WriteStartObject();
            json.WriteStartObject("functionCall"u8);
            json.WriteString("id"u8, call.Id);
            json.WriteString("name"u8, call.Name);
            json.WritePropertyName("args"u8);
            call.Arguments.WriteTo(json);
            json.WriteEndObject();
            json.WriteEndObject();
        }
    }

    /// <summary>A tool result that is a JSON object is the response itself; anything else is wrapped as <c>{"content": text}</c>.</summary>
    private static void WriteToolResult(Utf8JsonWriter json, string text)
    {
        var trimmed = text.AsSpan().TrimStart();
        if (trimmed.Length > 0 && trimmed[0] == '{')
        {
            try
            {
                using var document = JsonDocument.Parse(text);
                document.RootElement.WriteTo(json);
                return;
            }
            catch (JsonException)
            {
                // Not JSON after all: wrap it.
            }
        }

        json.WriteStartObject();
        json.WriteString("content"u8, text);
        json.WriteEndObject();
    }

    private static string MediaTypeOf(string url)
    {
        var path = new Uri(url).AbsolutePath;
        return Path.GetExtension(path).ToLowerInvariant() switch
        {
            ".png" => "image/png",
            ".gif" => "image/gif",
            ".webp" => "image/webp",
            ".heic" => "image/heic",
            _ => "image/jpeg",
        };
    }

    private static void WriteSystem(Utf8JsonWriter json, OpenAiChat chat)
    {
        var any = false;
        foreach (var turn in chat.Turns)
        {
            if (turn.Role != ChatRole.System)
            {
                continue;
            }

            if (!any)
            {
                json.WriteStartObject("systemInstruction"u8);
                json.WriteStartArray("parts"u8);
                any = true;
            }

            json.WriteStartObject();
            json.WriteString("text"u8, turn.Text);
            json.WriteEndObject();
        }

        if (any)
        {
            json.WriteEndArray();
            json.WriteEndObject();
        }
    }

    private static void WriteTools(Utf8JsonWriter json, OpenAiChat chat)
    {
        if (chat.Tools.Count == 0)
        {
            return;
        }

        json.WriteStartArray("tools"u8);
        json.WriteStartObject();
        json.WriteStartArray("functionDeclarations"u8);
        foreach (var tool in chat.Tools)
        {
            json.WriteStartObject();
            json.WriteString("name"u8, tool.Name);
            if (tool.Description is { } description)
            {
                json.WriteString("description"u8, description);
            }

            if (tool.Parameters is { } parameters)
            {
                json.WritePropertyName("parametersJsonSchema"u8);
                parameters.WriteTo(json);
            }

            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
        json.WriteEndArray();

        if (chat.ToolChoice == ToolChoiceKind.Default)
        {
            return;
        }

        json.WriteStartObject("toolConfig"u8);
        json.WriteStartObject("functionCallingConfig"u8);
        json.WriteString("mode"u8, chat.ToolChoice switch
        {
            ToolChoiceKind.None => "NONE",
            ToolChoiceKind.Required or ToolChoiceKind.Named => "ANY",
            _ => "AUTO",
        });
        if (chat.ToolChoice == ToolChoiceKind.Named)
        {
            json.WriteStartArray("allowedFunctionNames"u8);
            json.WriteStringValue(chat.ToolChoiceName);
            json.WriteEndArray();
        }

        json.WriteEndObject();
        json.WriteEndObject();
    }

    private static void WriteGenerationConfig(Utf8JsonWriter json, OpenAiChat chat)
    {
        json.WriteStartObject("generationConfig"u8);
        if (chat.Temperature is { } temperature)
        {
            json.WriteNumber("temperature"u8, temperature);
        }

        if (chat.TopP is { } topP)
        {
            json.WriteNumber("topP"u8, topP);
        }

        if (chat.MaxTokens is { } maxTokens)
        {
            json.WriteNumber("maxOutputTokens"u8, maxTokens);
        }

        if (chat.Stop.Count > 0)
        {
            json.WriteStartArray("stopSequences"u8);
            foreach (var stop in chat.Stop)
            {
                json.WriteStringValue(stop);
            }

            json.WriteEndArray();
        }

        if (chat.PresencePenalty is { } presence)
        {
            json.WriteNumber("presencePenalty"u8, presence);
        }

        if (chat.FrequencyPenalty is { } frequency)
        {
            json.WriteNumber("frequencyPenalty"u8, frequency);
        }

        if (chat.Seed is { } seed)
        {
            json.WriteNumber("seed"u8, seed);
        }

        if (chat.ResponseFormat == ResponseFormatKind.JsonSchema)
        {
            json.WriteString("responseMimeType"u8, "application/json"u8);
            json.WritePropertyName("responseJsonSchema"u8);
            chat.Schema!.Value.WriteTo(json);
        }
        else if (chat.ResponseFormat == ResponseFormatKind.JsonObject)
        {
            json.WriteString("responseMimeType"u8, "application/json"u8);
        }

        if (chat.ReasoningEffort is { } effort)
        {
            json.WriteStartObject("thinkingConfig"u8);
            json.WriteNumber("thinkingBudget"u8, effort switch
            {
                "minimal" or "low" => 1024,
                "medium" => 8192,
                _ => 24576,
            });
            json.WriteEndObject();
        }

        json.WriteEndObject();
    }
}
