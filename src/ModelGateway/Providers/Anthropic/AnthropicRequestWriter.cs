using System.Text.Json;
using ModelGateway.Requests;

namespace ModelGateway.Providers.Anthropic;

/// <summary>
/// Writes an Anthropic Messages request from an OpenAI chat request (protocols.md section 2): system and developer
/// messages become top-level <c>system</c> blocks, tool results user turns, consecutive same-role turns one message.
/// </summary>
internal static class AnthropicRequestWriter
{
    /// <summary>Anthropic requires <c>max_tokens</c>; used when the client set no limit.</summary>
    public const int DefaultMaxTokens = 4096;

    private const int MinThinkingBudget = 1024;

    private static readonly string[] ImageTypes = ["image/jpeg", "image/png", "image/gif", "image/webp"];

    /// <summary>Returns why the request cannot be translated, or null when <paramref name="json"/> holds it.</summary>
    public static (string Message, string? Param)? Write(Utf8JsonWriter json, OpenAiChat chat, string upstreamModel)
    {
        if (chat.N > 1)
        {
            return ("Anthropic models return one choice per request: 'n' must be 1.", "n");
        }

        if (chat.ResponseFormat == ResponseFormatKind.JsonSchema && chat.Tools.Count > 0)
        {
            return ("Anthropic deployments cannot combine 'tools' with a 'json_schema' response format.", "response_format");
        }

        foreach (var turn in chat.Turns)
        {
            foreach (var part in turn.Parts)
            {
                if (part.MediaType is { } mediaType && !ImageTypes.Contains(mediaType))
                {
                    return ($"Anthropic accepts images of type image/jpeg, image/png, image/gif or image/webp, not '{mediaType}'.", "messages");
                }
            }
        }

        var maxTokens = chat.MaxTokens ?? DefaultMaxTokens;
        json.WriteStartObject();
        json.WriteString("model"u8, upstreamModel);
        json.WriteNumber("max_tokens"u8, maxTokens);
        WriteSystem(json, chat);
        WriteMessages(json, chat);
        if (chat.Stream)
        {
            json.WriteBoolean("stream"u8, true);
        }

        var thinkingBudget = ThinkingBudget(chat.ReasoningEffort, maxTokens);
        if (thinkingBudget > 0)
        {
            json.WriteStartObject("thinking"u8);
            json.WriteString("type"u8, "enabled"u8);
            json.WriteNumber("budget_tokens"u8, thinkingBudget);
            json.WriteEndObject();
        }
        else if (chat.Temperature is { } temperature)
        {
            // Anthropic's range is 0..1; OpenAI's 0..2 is clamped (thinking requires the default temperature).
            json.WriteNumber("temperature"u8, Math.Min(temperature, 1));
        }

        if (chat.TopP is { } topP && thinkingBudget == 0)
        {
            json.WriteNumber("top_p"u8, topP);
        }

        if (chat.Stop.Count > 0)
        {
            json.WriteStartArray("stop_sequences"u8);
            foreach (var stop in chat.Stop)
            {
                json.WriteStringValue(stop);
            }

            json.WriteEndArray();
        }

        if (chat.User is { } user)
        {
            json.WriteStartObject("metadata"u8);
            json.WriteString("user_id"u8, user);
            json.WriteEndObject();
        }

        WriteTools(json, chat);
        json.WriteEndObject();
        return null;
    }

    /// <summary>The tool that carries a <c>json_schema</c> answer, when the request asked for one.</summary>
    public static string? StructuredToolName(OpenAiChat chat) =>
        chat.ResponseFormat == ResponseFormatKind.JsonSchema ? chat.SchemaName : null;

    private static int ThinkingBudget(string? effort, int maxTokens)
    {
        var wanted = effort switch
        {
            null => 0,
            "minimal" or "low" => MinThinkingBudget,
            "medium" => 4096,
            _ => 16384,
        };
        var budget = Math.Min(wanted, maxTokens - 1);
        return budget >= MinThinkingBudget ? budget : 0;
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
                json.WriteStartArray("system"u8);
                any = true;
            }

            json.WriteStartObject();
            json.WriteString("type"u8, "text"u8);
            json.WriteString("text"u8, turn.Text);
            json.WriteEndObject();
        }

        if (any)
        {
            json.WriteEndArray();
        }
    }

    private static void WriteMessages(Utf8JsonWriter json, OpenAiChat chat)
    {
        json.WriteStartArray("messages"u8);
        string? openRole = null;
        foreach (var turn in chat.Turns)
        {
            if (turn.Role == ChatRole.System)
            {
                continue;
            }

            var role = turn.Role == ChatRole.Assistant ? "assistant" : "user";
            if (role != openRole)
            {
                if (openRole is not null)
                {
                    json.WriteEndArray();
                    json.WriteEndObject();
                }

                json.WriteStartObject();
                json.WriteString("role"u8, role);
                json.WriteStartArray("content"u8);
                openRole = role;
            }

            WriteBlocks(json, turn);
        }

        if (openRole is not null)
        {
            json.WriteEndArray();
            json.WriteEndObject();
        }

        json.WriteEndArray();
    }

    private static void WriteBlocks(Utf8JsonWriter json, ChatTurn turn)
    {
        if (turn.Role == ChatRole.Tool)
        {
            json.WriteStartObject();
            json.WriteString("type"u8, "tool_result"u8);
            json.WriteString("tool_use_id"u8, turn.ToolCallId);
            json.WriteString("content"u8, turn.Text);
            json.WriteEndObject();
            return;
        }

        foreach (var part in turn.Parts)
        {
            if (part.Text is { } text)
            {
                if (text.Length == 0)
                {
                    continue; // Anthropic rejects empty text blocks.
                }

                json.WriteStartObject();
                json.WriteString("type"u8, "text"u8);
                json.WriteString("text"u8, text);
                json.WriteEndObject();
                continue;
            }

            json.WriteStartObject();
            json.WriteString("type"u8, "image"u8);
            json.WriteStartObject("source"u8);
            if (part.ImageUrl is { } url)
            {
                json.WriteString("type"u8, "url"u8);
                json.WriteString("url"u8, url);
            }
            else
            {
                json.WriteString("type"u8, "base64"u8);
                json.WriteString("media_type"u8, part.MediaType);
                json.WriteString("data"u8, part.Base64Data);
            }

            json.WriteEndObject();
            json.WriteEndObject();
        }

        foreach (var call in turn.ToolCalls)
        {
            json.WriteStartObject();
            json.WriteString("type"u8, "tool_use"u8);
            json.WriteString("id"u8, call.Id);
            json.WriteString("name"u8, call.Name);
            json.WritePropertyName("input"u8);
            call.Arguments.WriteTo(json);
            json.WriteEndObject();
        }
    }

    private static void WriteTools(Utf8JsonWriter json, OpenAiChat chat)
    {
        if (StructuredToolName(chat) is { } structured)
        {
            // No native structured output on every model: a single forced tool whose input is the answer.
            json.WriteStartArray("tools"u8);
            json.WriteStartObject();
            json.WriteString("name"u8, structured);
            json.WriteString("description"u8, "Give the final answer as this tool's input.");
            json.WritePropertyName("input_schema"u8);
            chat.Schema!.Value.WriteTo(json);
            json.WriteEndObject();
            json.WriteEndArray();
            json.WriteStartObject("tool_choice"u8);
            json.WriteString("type"u8, "tool"u8);
            json.WriteString("name"u8, structured);
            json.WriteEndObject();
            return;
        }

        if (chat.Tools.Count == 0)
        {
            return;
        }

        json.WriteStartArray("tools"u8);
        foreach (var tool in chat.Tools)
        {
            json.WriteStartObject();
            json.WriteString("name"u8, tool.Name);
            if (tool.Description is { } description)
            {
                json.WriteString("description"u8, description);
            }

            json.WritePropertyName("input_schema"u8);
            if (tool.Parameters is { } parameters)
            {
                parameters.WriteTo(json);
            }
            else
            {
                json.WriteRawValue("""{"type":"object","properties":{}}"""u8);
            }

            json.WriteEndObject();
        }

        json.WriteEndArray();
        var type = chat.ToolChoice switch
        {
            ToolChoiceKind.None => "none",
            ToolChoiceKind.Required => "any",
            ToolChoiceKind.Named => "tool",
            _ => "auto",
        };
        if (chat.ToolChoice == ToolChoiceKind.Default && chat.ParallelToolCalls)
        {
            return;
        }

        json.WriteStartObject("tool_choice"u8);
        json.WriteString("type"u8, type);
        if (chat.ToolChoice == ToolChoiceKind.Named)
        {
            json.WriteString("name"u8, chat.ToolChoiceName);
        }

        if (!chat.ParallelToolCalls && chat.ToolChoice != ToolChoiceKind.None)
        {
            json.WriteBoolean("disable_parallel_tool_use"u8, true);
        }

        json.WriteEndObject();
    }
}
