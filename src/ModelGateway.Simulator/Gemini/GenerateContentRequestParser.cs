using System.Text;
using System.Text.Json;
using ModelGateway.Simulator.Generation;
using ModelGateway.Simulator.OpenAi;

namespace ModelGateway.Simulator.Gemini;

/// <summary>Validates a Gemini <c>generateContent</c> request (the parts the simulator relies on) and reads the prompt.</summary>
internal static class GenerateContentRequestParser
{
    /// <summary>Returns the INVALID_ARGUMENT message, or null with the prompt.</summary>
    public static string? Parse(JsonElement root, out ChatPrompt? prompt)
    {
        prompt = null;
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("contents", out var contents)
            || contents.ValueKind != JsonValueKind.Array || contents.GetArrayLength() == 0)
        {
            return "* GenerateContentRequest.contents: contents is not specified";
        }

        long textBytes = 0;
        var count = 0;
        var lastUserText = string.Empty;
        string? toolResult = null;
        if (root.TryGetProperty("systemInstruction", out var system))
        {
            textBytes += Encoding.UTF8.GetByteCount(TextOf(system));
            count++;
        }

        foreach (var content in contents.EnumerateArray())
        {
            var role = JsonRead.TryGetString(content, "role", out var r) ? r : "user";
            if (role is not ("user" or "model"))
            {
                return $"* GenerateContentRequest.contents[{count}].role: Please use a valid role: user, model.";
            }

            if (!content.TryGetProperty("parts", out var parts) || parts.ValueKind != JsonValueKind.Array || parts.GetArrayLength() == 0)
            {
                return $"* GenerateContentRequest.contents[{count}].parts: contents.parts must not be empty.";
            }

            var text = TextOf(content);
            textBytes += Encoding.UTF8.GetByteCount(text);
            toolResult = null;
            if (role == "user")
            {
                toolResult = FunctionResponseOf(parts);
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
                if (!tool.TryGetProperty("functionDeclarations", out var declarations))
                {
                    continue;
                }

                foreach (var declaration in declarations.EnumerateArray())
                {
                    if (!JsonRead.TryGetString(declaration, "name", out var name))
                    {
                        return "* GenerateContentRequest.tools[0].function_declarations[0].name: name cannot be empty.";
                    }

                    JsonElement? schema = declaration.TryGetProperty("parametersJsonSchema", out var s) ? s
                        : declaration.TryGetProperty("parameters", out var p) ? p : null;
                    tools.Add(new ToolDefinition(name, ToolArguments.Build(schema)));
                }
            }
        }

        var mode = ToolChoiceMode.Auto;
        string? named = null;
        if (root.TryGetProperty("toolConfig", out var toolConfig) && toolConfig.TryGetProperty("functionCallingConfig", out var calling)
            && JsonRead.TryGetString(calling, "mode", out var modeName))
        {
            mode = modeName switch
            {
                "NONE" => ToolChoiceMode.None,
                "ANY" => ToolChoiceMode.Required,
                _ => ToolChoiceMode.Auto,
            };
            if (mode == ToolChoiceMode.Required && calling.TryGetProperty("allowedFunctionNames", out var allowed)
                && allowed.GetArrayLength() == 1 && tools.Exists(t => t.Name == allowed[0].GetString()))
            {
                mode = ToolChoiceMode.Named;
                named = allowed[0].GetString();
            }
        }

        int? maxTokens = null;
        var reasoning = false;
        var candidates = 1;
        if (root.TryGetProperty("generationConfig", out var config))
        {
            maxTokens = config.TryGetProperty("maxOutputTokens", out var m) && m.TryGetInt32(out var max) ? max : null;
            candidates = config.TryGetProperty("candidateCount", out var c) && c.TryGetInt32(out var n) ? n : 1;
            reasoning = config.TryGetProperty("thinkingConfig", out var thinking)
                && thinking.TryGetProperty("thinkingBudget", out var budget) && budget.TryGetInt32(out var b) && b > 0;
        }

        if (candidates != 1)
        {
            return "* GenerateContentRequest.generation_config.candidate_count: the simulator supports one candidate.";
        }

        prompt = new ChatPrompt
        {
            LastUserText = lastUserText,
            ToolResultText = toolResult,
            PromptTokens = TokenEstimator.Prompt(textBytes, count),
            Tools = tools,
            ToolChoice = mode,
            ToolChoiceName = named,
            MaxOutputTokens = maxTokens,
            Reasoning = reasoning,
            PromptCached = root.TryGetProperty("cachedContent", out _),
        };
        return null;
    }

    private static string TextOf(JsonElement content)
    {
        if (!content.TryGetProperty("parts", out var parts) || parts.ValueKind != JsonValueKind.Array)
        {
            return string.Empty;
        }

        var text = new StringBuilder();
        foreach (var part in parts.EnumerateArray())
        {
            if (JsonRead.TryGetString(part, "text", out var partText))
            {
                text.Append(text.Length > 0 ? "\n" : string.Empty).Append(partText);
            }
        }

        return text.ToString();
    }

    private static string? FunctionResponseOf(JsonElement parts)
    {
        string? result = null;
        foreach (var part in parts.EnumerateArray())
        {
            if (part.TryGetProperty("functionResponse", out var response))
            {
                result = response.TryGetProperty("response", out var value)
                    ? value.ValueKind == JsonValueKind.Object && value.TryGetProperty("content", out var wrapped) && wrapped.ValueKind == JsonValueKind.String
                        ? wrapped.GetString()
                        : value.GetRawText()
                    : string.Empty;
            }
        }

        return result;
    }
}
