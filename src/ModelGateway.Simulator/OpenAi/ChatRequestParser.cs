using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;
using System.Text.Json;
using ModelGateway.Simulator.Generation;

namespace ModelGateway.Simulator.OpenAi;

/// <summary>Validates a chat completions request and extracts what the reply planner needs.</summary>
internal static class ChatRequestParser
{
    public const int MaxChoices = 128;

    private static readonly string[] Roles = ["developer", "system", "user", "assistant", "tool", "function"];

    public static bool TryParse(
        JsonElement root, [NotNullWhen(true)] out ChatRequest? request, [NotNullWhen(false)] out OpenAiError? error)
    {
        error = Parse(root, out request);
        return error is null;
    }

    private static OpenAiError? Parse(JsonElement root, out ChatRequest? request)
    {
        request = null;
        if (root.ValueKind != JsonValueKind.Object)
        {
            return OpenAiErrors.InvalidBody("The request body must be a JSON object.");
        }

        if (!JsonRead.TryGetString(root, "model", out var model) || model.Length == 0)
        {
            return OpenAiErrors.MissingParameter("model");
        }

        OpenAiError? error;
        if ((error = ReadMessages(root, out var messages)) is not null
            || (error = ReadStream(root, out var stream, out var includeUsage)) is not null
            || (error = JsonRead.OptionalInt(root, "max_completion_tokens", 1, int.MaxValue, out var maxCompletionTokens)) is not null
            || (error = JsonRead.OptionalInt(root, "max_tokens", 1, int.MaxValue, out var maxTokens)) is not null
            || (error = JsonRead.OptionalInt(root, "n", 1, MaxChoices, out var choiceCount)) is not null
            || (error = ReadTools(root, out var tools)) is not null
            || (error = ReadToolChoice(root, tools, out var toolChoice, out var toolChoiceName)) is not null)
        {
            return error;
        }

        var prompt = new ChatPrompt
        {
            LastUserText = messages.LastUserText,
            ToolResultText = messages.ToolResultText,
            PromptTokens = TokenEstimator.Prompt(messages.TextBytes, messages.Count),
            Tools = tools,
            ToolChoice = toolChoice,
            ToolChoiceName = toolChoiceName,
            MaxOutputTokens = maxCompletionTokens ?? maxTokens,
            ChoiceCount = choiceCount ?? 1,
            Reasoning = root.TryGetProperty("reasoning_effort", out var effort)
                && effort.ValueKind == JsonValueKind.String
                && !effort.ValueEquals("none"),
            PromptCached = root.TryGetProperty("prompt_cache_key", out var cacheKey) && cacheKey.ValueKind == JsonValueKind.String,
            StructuredAnswer = ResponseSchema(root) is { } schema ? StructuredAnswer.Build(schema) : null,
        };
        request = new ChatRequest(model, stream, includeUsage, prompt);
        return null;
    }

    /// <summary>The schema of <c>response_format: {type: json_schema, json_schema: {schema}}</c>, when the request has one.</summary>
    private static JsonElement? ResponseSchema(JsonElement root) =>
        root.TryGetProperty("response_format", out var format) && format.ValueKind == JsonValueKind.Object
        && JsonRead.TryGetString(format, "type", out var type) && type == "json_schema"
        && format.TryGetProperty("json_schema", out var jsonSchema) && jsonSchema.ValueKind == JsonValueKind.Object
        && jsonSchema.TryGetProperty("schema", out var schema) && schema.ValueKind == JsonValueKind.Object
            ? schema
            : null;

    private static OpenAiError? ReadMessages(JsonElement root, out MessageSummary summary)
    {
        summary = default;
        if (!root.TryGetProperty("messages", out var messages) || messages.ValueKind == JsonValueKind.Null)
        {
            return OpenAiErrors.MissingParameter("messages");
        }

        if (messages.ValueKind != JsonValueKind.Array)
        {
            return OpenAiErrors.InvalidType("messages", "an array");
        }

        if (messages.GetArrayLength() == 0)
        {
            return OpenAiErrors.InvalidValue("messages", "Invalid 'messages': empty array. Expected an array with minimum length 1.");
        }

        var index = 0;
        long textBytes = 0;
        var lastUserText = string.Empty;
        string? toolResultText = null;
        foreach (var message in messages.EnumerateArray())
        {
            if (message.ValueKind != JsonValueKind.Object)
            {
                return OpenAiErrors.InvalidType(At(index), "an object");
            }

            if (!JsonRead.TryGetString(message, "role", out var role))
            {
                return OpenAiErrors.MissingParameter(At(index, ".role"));
            }

            if (!Roles.Contains(role))
            {
                return OpenAiErrors.InvalidValue(
                    At(index, ".role"), $"Invalid value: '{role}'. Supported values are: {string.Join(", ", Roles)}.");
            }

            if (role == "tool" && !JsonRead.TryGetString(message, "tool_call_id", out _))
            {
                return OpenAiErrors.MissingParameter(At(index, ".tool_call_id"));
            }

            var text = ContentText(message);
            textBytes += Encoding.UTF8.GetByteCount(text);
            if (role == "user")
            {
                lastUserText = text;
            }

            toolResultText = role == "tool" ? text : null;
            index++;
        }

        summary = new MessageSummary(index, textBytes, lastUserText, toolResultText);
        return null;
    }

    private static string At(int index, string suffix = "") =>
        string.Create(CultureInfo.InvariantCulture, $"messages[{index}]{suffix}");

    /// <summary>The text of a message: its string content, or its text parts joined by new lines.</summary>
    private static string ContentText(JsonElement message)
    {
        if (!message.TryGetProperty("content", out var content))
        {
            return string.Empty;
        }

        if (content.ValueKind == JsonValueKind.String)
        {
            return content.GetString()!;
        }

        if (content.ValueKind != JsonValueKind.Array)
        {
            return string.Empty;
        }

        var text = new StringBuilder();
        foreach (var part in content.EnumerateArray())
        {
            if (part.ValueKind == JsonValueKind.Object && JsonRead.TryGetString(part, "text", out var partText))
            {
                text.Append(text.Length > 0 ? "\n" : string.Empty).Append(partText);
            }
        }

        return text.ToString();
    }

    private static OpenAiError? ReadStream(JsonElement root, out bool stream, out bool includeUsage)
    {
        includeUsage = false;
        stream = false;
        if (root.TryGetProperty("stream", out var streamElement))
        {
            if (streamElement.ValueKind is not (JsonValueKind.True or JsonValueKind.False or JsonValueKind.Null))
            {
                return OpenAiErrors.InvalidType("stream", "a boolean");
            }

            stream = streamElement.ValueKind == JsonValueKind.True;
        }

        if (!root.TryGetProperty("stream_options", out var options) || options.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (!stream)
        {
            return OpenAiErrors.InvalidValue(
                "stream_options", "The 'stream_options' parameter is only allowed when 'stream' is enabled.");
        }

        if (options.ValueKind != JsonValueKind.Object)
        {
            return OpenAiErrors.InvalidType("stream_options", "an object");
        }

        includeUsage = JsonRead.IsTrue(options, "include_usage");
        return null;
    }

    private static OpenAiError? ReadTools(JsonElement root, out List<ToolDefinition> tools)
    {
        tools = [];
        if (!root.TryGetProperty("tools", out var element) || element.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (element.ValueKind != JsonValueKind.Array)
        {
            return OpenAiErrors.InvalidType("tools", "an array");
        }

        var index = -1;
        foreach (var tool in element.EnumerateArray())
        {
            index++;
            var param = string.Create(CultureInfo.InvariantCulture, $"tools[{index}]");
            if (tool.ValueKind != JsonValueKind.Object)
            {
                return OpenAiErrors.InvalidType(param, "an object");
            }

            if (JsonRead.TryGetString(tool, "type", out var type) && type != "function")
            {
                continue; // Custom tools are accepted but never called.
            }

            if (!tool.TryGetProperty("function", out var function) || function.ValueKind != JsonValueKind.Object)
            {
                return OpenAiErrors.MissingParameter(param + ".function");
            }

            if (!JsonRead.TryGetString(function, "name", out var name) || name.Length == 0)
            {
                return OpenAiErrors.MissingParameter(param + ".function.name");
            }

            JsonElement? parameters = function.TryGetProperty("parameters", out var schema) ? schema : null;
            tools.Add(new ToolDefinition(name, ToolArguments.Build(parameters)));
        }

        return null;
    }

    private static OpenAiError? ReadToolChoice(
        JsonElement root, List<ToolDefinition> tools, out ToolChoiceMode mode, out string? name)
    {
        mode = ToolChoiceMode.Auto;
        name = null;
        if (!root.TryGetProperty("tool_choice", out var choice) || choice.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (choice.ValueKind == JsonValueKind.String)
        {
            switch (choice.GetString())
            {
                case "none":
                    mode = ToolChoiceMode.None;
                    break;
                case "auto":
                    break;
                case "required":
                    mode = ToolChoiceMode.Required;
                    break;
                default:
                    return OpenAiErrors.InvalidValue(
                        "tool_choice", "Invalid value for 'tool_choice': expected 'none', 'auto', 'required' or an object.");
            }
        }
        else if (choice.ValueKind == JsonValueKind.Object)
        {
            // {"type":"function","function":{"name":...}} names a function; allowed_tools and custom choices act as auto.
            if (choice.TryGetProperty("function", out var function)
                && function.ValueKind == JsonValueKind.Object
                && JsonRead.TryGetString(function, "name", out var functionName))
            {
                if (!tools.Exists(t => t.Name == functionName))
                {
                    return OpenAiErrors.InvalidValue(
                        "tool_choice", $"Invalid value for 'tool_choice': function '{functionName}' is not one of 'tools'.");
                }

                mode = ToolChoiceMode.Named;
                name = functionName;
            }
        }
        else
        {
            return OpenAiErrors.InvalidType("tool_choice", "a string or an object");
        }

        return mode == ToolChoiceMode.Required && tools.Count == 0
            ? OpenAiErrors.InvalidValue("tool_choice", "'tool_choice' is only allowed when 'tools' are specified.")
            : null;
    }

    private readonly record struct MessageSummary(int Count, long TextBytes, string LastUserText, string? ToolResultText);
}
