using System.Diagnostics.CodeAnalysis;
using System.Text.Json;

namespace ModelGateway.Simulator.OpenAi;

/// <summary>Small helpers to read optional request fields and report them in OpenAI's words.</summary>
internal static class JsonRead
{
    public static bool TryGetString(JsonElement element, string name, [NotNullWhen(true)] out string? value)
    {
        value = element.TryGetProperty(name, out var property) && property.ValueKind == JsonValueKind.String
            ? property.GetString()
            : null;
        return value is not null;
    }

    public static bool IsTrue(JsonElement element, string name) =>
        element.TryGetProperty(name, out var property) && property.ValueKind == JsonValueKind.True;

    /// <summary>Reads an optional integer field (absent and null mean none); returns the error when it is invalid.</summary>
    public static OpenAiError? OptionalInt(JsonElement element, string name, int min, int max, out int? value)
    {
        value = null;
        if (!element.TryGetProperty(name, out var property) || property.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (property.ValueKind != JsonValueKind.Number || !property.TryGetInt32(out var number))
        {
            return OpenAiErrors.InvalidType(name, "an integer");
        }

        if (number < min || number > max)
        {
            return OpenAiErrors.InvalidValue(name, $"Invalid '{name}': expected a value between {min} and {max}, but got {number} instead.");
        }

        value = number;
        return null;
    }
}
