using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;
using System.Text.Json;
using ModelGateway.Simulator.Generation;

namespace ModelGateway.Simulator.OpenAi;

/// <summary>
/// Validates a legacy completions request as OpenAI does: <c>prompt</c> is a string, strings, token ids or lists of
/// token ids; <c>max_tokens</c> may be 0; <c>n</c> completions per prompt.
/// </summary>
internal static class CompletionsRequestParser
{
    public const int MaxPrompts = 2048;

    public static bool TryParse(JsonElement root, [NotNullWhen(true)] out CompletionsRequest? request, [NotNullWhen(false)] out OpenAiError? error)
    {
        request = null;
        if (root.ValueKind != JsonValueKind.Object)
        {
            error = OpenAiErrors.InvalidBody("The request body must be a JSON object.");
            return false;
        }

        if (!JsonRead.TryGetString(root, "model", out var model) || model.Length == 0)
        {
            error = OpenAiErrors.MissingParameter("model");
            return false;
        }

        if ((error = ReadPrompts(root, out var prompts)) is not null
            || (error = JsonRead.OptionalInt(root, "max_tokens", 0, int.MaxValue, out var maxTokens)) is not null
            || (error = JsonRead.OptionalInt(root, "n", 1, ChatRequestParser.MaxChoices, out var n)) is not null)
        {
            return false;
        }

        var stream = JsonRead.IsTrue(root, "stream");
        if (root.TryGetProperty("stream_options", out var options) && options.ValueKind != JsonValueKind.Null && !stream)
        {
            error = OpenAiErrors.InvalidValue("stream_options", "The 'stream_options' parameter is only allowed when 'stream' is enabled.");
            return false;
        }

        var includeUsage = stream && options.ValueKind == JsonValueKind.Object && JsonRead.IsTrue(options, "include_usage");
        request = new CompletionsRequest(model, stream, includeUsage, prompts, maxTokens, n ?? 1);
        return true;
    }

    private static OpenAiError? ReadPrompts(JsonElement root, out List<CompletionPrompt> prompts)
    {
        prompts = [];
        if (!root.TryGetProperty("prompt", out var prompt) || prompt.ValueKind == JsonValueKind.Null)
        {
            return OpenAiErrors.MissingParameter("prompt");
        }

        if (prompt.ValueKind == JsonValueKind.String)
        {
            prompts.Add(Text(prompt.GetString()!));
            return null;
        }

        if (prompt.ValueKind != JsonValueKind.Array)
        {
            return OpenAiErrors.InvalidType("prompt", "a string or an array");
        }

        var length = prompt.GetArrayLength();
        if (length is 0 or > MaxPrompts)
        {
            return OpenAiErrors.InvalidValue("prompt", $"'prompt' must hold between 1 and {MaxPrompts} items.");
        }

        var first = prompt[0].ValueKind;
        if (first == JsonValueKind.Number)
        {
            return TokenIds(prompt, prompts);
        }

        foreach (var item in prompt.EnumerateArray())
        {
            if (item.ValueKind != first)
            {
                return OpenAiErrors.InvalidValue("prompt", "'prompt' must not mix strings, token ids and token id lists.");
            }

            var error = first switch
            {
                JsonValueKind.String => Add(Text(item.GetString()!), prompts),
                JsonValueKind.Array => TokenIds(item, prompts),
                _ => OpenAiErrors.InvalidType("prompt", "strings, token ids or arrays of token ids"),
            };
            if (error is not null)
            {
                return error;
            }
        }

        return null;
    }

    private static OpenAiError? Add(CompletionPrompt prompt, List<CompletionPrompt> prompts)
    {
        prompts.Add(prompt);
        return null;
    }

    private static CompletionPrompt Text(string text) => new(text, TokenEstimator.Prompt(Encoding.UTF8.GetByteCount(text), 0));

    private static OpenAiError? TokenIds(JsonElement ids, List<CompletionPrompt> prompts)
    {
        if (ids.GetArrayLength() == 0)
        {
            return OpenAiErrors.InvalidValue("prompt", "Token id lists must not be empty.");
        }

        var text = new StringBuilder();
        foreach (var id in ids.EnumerateArray())
        {
            if (id.ValueKind != JsonValueKind.Number || !id.TryGetInt32(out var value) || value < 0)
            {
                return OpenAiErrors.InvalidValue("prompt", "Token ids must be non-negative integers.");
            }

            text.Append(text.Length > 0 ? " " : string.Empty).Append(value.ToString(CultureInfo.InvariantCulture));
        }

        prompts.Add(new CompletionPrompt(text.ToString(), ids.GetArrayLength()));
        return null;
    }
}
