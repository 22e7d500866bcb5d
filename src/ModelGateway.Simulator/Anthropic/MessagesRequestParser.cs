using System.Text;
using System.Text.Json;
using ModelGateway.Simulator.Generation;
using ModelGateway.Simulator.OpenAi;

namespace ModelGateway.Simulator.Anthropic;

/// <summary>A parsed <c>POST /v1/messages</c> request.</summary>
internal sealed record MessagesRequest(string Model, bool Stream, ChatPrompt Prompt);

/// <summary>Validates an Anthropic Messages request the way the API does (the parts the simulator relies on) and reads the prompt.</summary>
internal static class MessagesRequestParser
{
    /// <summary>Returns the error message (an <c>invalid_request_error</c>), or null with the request.</summary>
    /// <param name="root">The request body.</param>
    /// <param name="request">The parsed request.</param>
    /// <param name="countTokens">A <c>count_tokens</c> body, which has no <c>max_tokens</c>.</param>
    public static string? Parse(JsonElement root, out MessagesRequest? request, bool countTokens = false)
    {
        request = null;
        if (root.ValueKind != JsonValueKind.Object)
        {
            return "The request body must be a JSON object.";
        }

        if (!JsonRead.TryGetString(root, "model", out var model) || model.Length == 0)
        {
            return "model: Field required";
        }

        var max = 0;
        if (!countTokens
            && (!root.TryGetProperty("max_tokens", out var maxTokens) || maxTokens.ValueKind != JsonValueKind.Number || !maxTokens.TryGetInt32(out max) || max < 1))
        {
            return "max_tokens: Field required";
        }

        if (!root.TryGetProperty("messages", out var messages) || messages.ValueKind != JsonValueKind.Array || messages.GetArrayLength() == 0)
        {
            return "messages: at least one message is required";
        }

        long textBytes = 0;
        var count = 0;
        string lastUserText = string.Empty;
        string? toolResult = null;
        if (root.TryGetProperty("system", out var system))
        {
            textBytes += Encoding.UTF8.GetByteCount(TextOf(system));
            count++;
        }

        foreach (var message in messages.EnumerateArray())
        {
            // Claude Code puts role "system" entries between turns (a beta the API accepts); they change no turn.
            if (!JsonRead.TryGetString(message, "role", out var role) || role is not ("user" or "assistant" or "system"))
            {
                return $"messages.{count}.role: Input should be 'user', 'assistant' or 'system'";
            }

            if (!message.TryGetProperty("content", out var content))
            {
                return $"messages.{count}.content: Field required";
            }

            var text = TextOf(content);
            textBytes += Encoding.UTF8.GetByteCount(text);
            if (role == "system")
            {
                count++;
                continue;
            }

            toolResult = null;
            if (role == "user")
            {
                toolResult = ToolResultOf(content);
                if (toolResult is null)
                {
                    lastUserText = text;
                }
            }

            count++;
        }

        var tools = new List<ToolDefinition>();
        if (root.TryGetProperty("tools", out var toolArray) && toolArray.ValueKind == JsonValueKind.Array)
        {
            foreach (var tool in toolArray.EnumerateArray())
            {
                // Server tools (web search, code execution...) have a versioned type and no schema: never called here.
                var serverTool = JsonRead.TryGetString(tool, "type", out var toolType) && toolType != "custom";
                if (!JsonRead.TryGetString(tool, "name", out var name) || (!tool.TryGetProperty("input_schema", out var schema) && !serverTool))
                {
                    return "tools: each tool needs 'name' and 'input_schema'";
                }

                if (serverTool)
                {
                    continue;
                }

                tools.Add(new ToolDefinition(name, ToolArguments.Build(schema)));
            }
        }

        var mode = ToolChoiceMode.Auto;
        string? choiceName = null;
        if (root.TryGetProperty("tool_choice", out var choice) && JsonRead.TryGetString(choice, "type", out var type))
        {
            switch (type)
            {
                case "none":
                    mode = ToolChoiceMode.None;
                    break;
                case "any":
                    mode = ToolChoiceMode.Required;
                    break;
                case "tool" when JsonRead.TryGetString(choice, "name", out var name) && tools.Exists(t => t.Name == name):
                    mode = ToolChoiceMode.Named;
                    choiceName = name;
                    break;
                case "auto":
                    break;
                default:
                    return "tool_choice: invalid tool choice";
            }
        }

        var parallelDisabled = root.TryGetProperty("tool_choice", out var c) && JsonRead.IsTrue(c, "disable_parallel_tool_use");
        var prompt = new ChatPrompt
        {
            LastUserText = lastUserText,
            ToolResultText = toolResult,
            PromptTokens = TokenEstimator.Prompt(textBytes, count),
            Tools = parallelDisabled && tools.Count > 1 && mode != ToolChoiceMode.Named ? [tools[0]] : tools,
            ToolChoice = mode,
            ToolChoiceName = choiceName,
            MaxOutputTokens = countTokens ? null : max,
            Reasoning = root.TryGetProperty("thinking", out var thinking) && JsonRead.TryGetString(thinking, "type", out var t) && t == "enabled",
            PromptCached = root.GetRawText().Contains("\"cache_control\"", StringComparison.Ordinal),
        };
        request = new MessagesRequest(model, JsonRead.IsTrue(root, "stream"), prompt);
        return null;
    }

    /// <summary>A string, or the text of the text blocks of a block array.</summary>
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

        var text = new StringBuilder();
        foreach (var block in content.EnumerateArray())
        {
            if (JsonRead.TryGetString(block, "text", out var blockText))
            {
                text.Append(text.Length > 0 ? "\n" : string.Empty).Append(blockText);
            }
        }

        return text.ToString();
    }

    private static string? ToolResultOf(JsonElement content)
    {
        if (content.ValueKind != JsonValueKind.Array)
        {
            return null;
        }

        string? result = null;
        foreach (var block in content.EnumerateArray())
        {
            if (JsonRead.TryGetString(block, "type", out var type) && type == "tool_result")
            {
                result = block.TryGetProperty("content", out var value) ? TextOf(value) : string.Empty;
            }
        }

        return result;
    }
}
