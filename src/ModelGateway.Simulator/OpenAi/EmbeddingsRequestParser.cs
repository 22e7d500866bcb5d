using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using ModelGateway.Simulator.Hosting;

namespace ModelGateway.Simulator.OpenAi;

/// <summary>Validates an embeddings request: <c>input</c> is a string, strings, token ids or lists of token ids.</summary>
internal static class EmbeddingsRequestParser
{
    public const int MaxInputs = 2048;

    public static bool TryParse(
        JsonElement root,
        int defaultDimensions,
        [NotNullWhen(true)] out EmbeddingsRequest? request,
        [NotNullWhen(false)] out OpenAiError? error)
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

        if ((error = ReadInputs(root, out var inputs)) is not null
            || (error = ReadEncoding(root, out var base64)) is not null
            || (error = JsonRead.OptionalInt(root, "dimensions", 1, SimulatorOptionsValidator.MaxDimensions, out var dimensions)) is not null)
        {
            return false;
        }

        request = new EmbeddingsRequest(model, inputs, base64, dimensions ?? defaultDimensions);
        return true;
    }

    private static OpenAiError? ReadInputs(JsonElement root, out List<EmbeddingInput> inputs)
    {
        inputs = [];
        if (!root.TryGetProperty("input", out var input) || input.ValueKind == JsonValueKind.Null)
        {
            return OpenAiErrors.MissingParameter("input");
        }

        if (input.ValueKind == JsonValueKind.String)
        {
            return AddText(input, inputs);
        }

        if (input.ValueKind != JsonValueKind.Array)
        {
            return OpenAiErrors.InvalidType("input", "a string or an array");
        }

        var length = input.GetArrayLength();
        if (length is 0 or > MaxInputs)
        {
            return OpenAiErrors.InvalidValue("input", $"'input' must hold between 1 and {MaxInputs} items.");
        }

        switch (input[0].ValueKind)
        {
            case JsonValueKind.Number:
                return AddTokens(input, inputs);
            case JsonValueKind.String:
                foreach (var item in input.EnumerateArray())
                {
                    if (AddText(item, inputs) is { } error)
                    {
                        return error;
                    }
                }

                return null;
            case JsonValueKind.Array:
                foreach (var item in input.EnumerateArray())
                {
                    if (AddTokens(item, inputs) is { } error)
                    {
                        return error;
                    }
                }

                return null;
            default:
                return OpenAiErrors.InvalidType("input", "strings, token ids or arrays of token ids");
        }
    }

    private static OpenAiError? AddText(JsonElement item, List<EmbeddingInput> inputs)
    {
        if (item.ValueKind != JsonValueKind.String || item.GetString() is not { Length: > 0 } text)
        {
            return OpenAiErrors.InvalidValue("input", "'input' must not contain empty strings or mix strings with other types.");
        }

        inputs.Add(new EmbeddingInput(text, null));
        return null;
    }

    private static OpenAiError? AddTokens(JsonElement item, List<EmbeddingInput> inputs)
    {
        if (item.ValueKind != JsonValueKind.Array || item.GetArrayLength() == 0)
        {
            return OpenAiErrors.InvalidValue("input", "Token inputs must be non-empty arrays of token ids.");
        }

        var tokens = new int[item.GetArrayLength()];
        var i = 0;
        foreach (var token in item.EnumerateArray())
        {
            if (token.ValueKind != JsonValueKind.Number || !token.TryGetInt32(out tokens[i]) || tokens[i] < 0)
            {
                return OpenAiErrors.InvalidValue("input", "Token ids must be non-negative integers.");
            }

            i++;
        }

        inputs.Add(new EmbeddingInput(null, tokens));
        return null;
    }

    private static OpenAiError? ReadEncoding(JsonElement root, out bool base64)
    {
        base64 = false;
        if (!root.TryGetProperty("encoding_format", out var format) || format.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (format.ValueKind == JsonValueKind.String && format.ValueEquals("base64"))
        {
            base64 = true;
            return null;
        }

        return format.ValueKind == JsonValueKind.String && format.ValueEquals("float")
            ? null
            : OpenAiErrors.InvalidValue("encoding_format", "Invalid value for 'encoding_format': expected 'float' or 'base64'.");
    }
}
