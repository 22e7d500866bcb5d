using System.Text;
using System.Text.Json;
using ModelGateway.Requests;

namespace ModelGateway.Experiments;

/// <summary>The checks of a pair that need no other model: tool calls, structured output and text.</summary>
internal static class PairComparer
{
    /// <summary>Fills the comparison fields of <paramref name="pair"/> from the two answers (null when unreadable).</summary>
    public static PairRecord Compare(PairRecord pair, OpenAiChat? request, Answer? live, Answer? candidate)
    {
        var schema = request is { ResponseFormat: ResponseFormatKind.JsonSchema, Schema: { } s } ? s : (JsonElement?)null;
        pair = pair with
        {
            SchemaExpected = schema is not null,
            LiveSchemaValid = schema is { } liveSchema && live is not null && live.ToolCalls.Count == 0 ? JsonSchemaCheck.IsValid(live.Text, liveSchema) : null,
            CandidateSchemaValid = schema is { } candidateSchema && candidate is not null && candidate.ToolCalls.Count == 0
                ? JsonSchemaCheck.IsValid(candidate.Text, candidateSchema)
                : null,
        };
        if (live is null || candidate is null)
        {
            return pair;
        }

        if (live.ToolCalls.Count > 0)
        {
            var expected = live.ToolCalls[0];
            var called = candidate.ToolCalls.Count > 0 ? candidate.ToolCalls[0] : null;
            var tool = called is null ? null : request?.Tools.FirstOrDefault(t => t.Name == called.Name);
            pair = pair with
            {
                ToolExpected = true,
                ToolSameFunction = called?.Name == expected.Name,
                ToolArgumentsEqual = called is not null && called.Name == expected.Name && JsonEquals(called.Arguments, expected.Arguments),
                ToolArgumentsValid = called is not null && tool is not null
                    && (tool.Parameters is { } parameters ? JsonSchemaCheck.IsValid(called.Arguments, parameters) : IsJson(called.Arguments)),
            };
        }
        else if (request?.Tools.Count > 0)
        {
            // Tools were offered and the live model answered in text: did the candidate also refrain?
            pair = pair with { ToolExpected = false, ToolSameFunction = candidate.ToolCalls.Count == 0 };
        }

        if (live.ToolCalls.Count == 0 && candidate.ToolCalls.Count == 0)
        {
            var liveText = Normalise(live.Text);
            var candidateText = Normalise(candidate.Text);
            pair = pair with
            {
                TextExactMatch = liveText == candidateText,
                LengthRatio = live.Text.Length == 0 ? null : candidate.Text.Length / (double)live.Text.Length,
            };
        }

        return pair;
    }

    /// <summary>Case folded, whitespace collapsed, trimmed: differences no reader would count.</summary>
    public static string Normalise(string text)
    {
        var builder = new StringBuilder(text.Length);
        var space = false;
        foreach (var c in text.Trim())
        {
            if (char.IsWhiteSpace(c))
            {
                space = true;
                continue;
            }

            if (space && builder.Length > 0)
            {
                builder.Append(' ');
            }

            space = false;
            builder.Append(char.ToLowerInvariant(c));
        }

        return builder.ToString();
    }

    private static bool JsonEquals(string a, string b)
    {
        try
        {
            using var left = JsonDocument.Parse(a);
            using var right = JsonDocument.Parse(b);
            return JsonElement.DeepEquals(left.RootElement, right.RootElement);
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static bool IsJson(string text)
    {
        try
        {
            using var _ = JsonDocument.Parse(text);
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
