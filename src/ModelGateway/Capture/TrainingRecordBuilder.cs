using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ModelGateway.Configuration;
using ModelGateway.Requests;
using ModelGateway.Sensitivity;

namespace ModelGateway.Capture;

/// <summary>
/// Turns a served conversation and its answer into one line of the OpenAI chat fine-tuning format: <c>messages</c>
/// (system, user, assistant with well-formed <c>tool_calls</c>, tool with <c>tool_call_id</c>), the request's
/// <c>tools</c>, and <c>parallel_tool_calls</c> when the request turned it off. Earlier assistant turns carry
/// <c>"weight": 0</c>: another model (possibly one whose terms forbid training on its output) may have written them,
/// so only the captured answer is trained on. Redacts where configured, then scans every string of the record with
/// the detectors and refuses it when anything is left above what may be kept.
/// </summary>
internal static partial class TrainingRecordBuilder
{
    private static readonly JsonSerializerOptions Compact = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The record, or null with the reason it cannot be kept.</summary>
    public static TrainingRecord? Build(OpenAiChat chat, CapturedAnswer answer, DetectorSet detectors, CaptureSettings settings, out CaptureResult failure)
    {
        failure = CaptureResult.Captured;
        var redactions = 0;
        string Clean(string text) => settings.Redact ? Redactor.Redact(text, detectors, ref redactions) : text;

        var messages = new JsonArray();
        var unanswered = new HashSet<string>(StringComparer.Ordinal);
        foreach (var turn in chat.Turns)
        {
            if (turn.Parts.Any(p => p.IsImage))
            {
                // Images are outside what the detectors can see: never kept.
                failure = CaptureResult.Unsupported;
                return null;
            }

            if (turn.Role != ChatRole.Tool && unanswered.Count > 0)
            {
                failure = CaptureResult.Malformed;
                return null;
            }

            switch (turn.Role)
            {
                case ChatRole.System:
                    messages.Add(new JsonObject { ["role"] = "system", ["content"] = Clean(turn.Text) });
                    break;
                case ChatRole.User:
                    messages.Add(new JsonObject { ["role"] = "user", ["content"] = Clean(turn.Text) });
                    break;
                case ChatRole.Tool:
                    if (turn.ToolCallId is not { } answered || !unanswered.Remove(answered))
                    {
                        failure = CaptureResult.Malformed;
                        return null;
                    }

                    messages.Add(new JsonObject { ["role"] = "tool", ["tool_call_id"] = answered, ["content"] = Clean(turn.Text) });
                    break;
                case ChatRole.Assistant:
                    var calls = turn.ToolCalls.Select(c => (c.Id, c.Name, Arguments: c.Arguments.GetRawText())).ToList();
                    var message = Assistant(turn.Parts.Count == 0 ? null : turn.Text, calls, Clean, ref failure);
                    if (message is null)
                    {
                        return null;
                    }

                    message["weight"] = 0;
                    messages.Add(message);
                    unanswered.UnionWith(calls.Select(c => c.Id));
                    break;
            }
        }

        if (unanswered.Count > 0 || !messages.Any(m => m!["role"]!.GetValue<string>() == "user"))
        {
            failure = CaptureResult.Malformed;
            return null;
        }

        var final = Assistant(
            answer.Content,
            [.. answer.ToolCalls.Select((c, i) => (c.Id.Length > 0 ? c.Id : $"call_{i}", c.Name, c.Arguments.Length > 0 ? c.Arguments : "{}"))],
            Clean,
            ref failure);
        if (final is null)
        {
            return null;
        }

        messages.Add(final);
        var record = new JsonObject { ["messages"] = messages };
        if (chat.Tools.Count > 0)
        {
            record["tools"] = Tools(chat.Tools, Clean);
            if (!chat.ParallelToolCalls)
            {
                record["parallel_tool_calls"] = false;
            }
        }

        if (!Keepable(record, detectors, settings))
        {
            failure = CaptureResult.SensitiveContent;
            return null;
        }

        return new TrainingRecord(record.ToJsonString(Compact), redactions, answer.ToolCalls.Count);
    }

    /// <summary>An assistant message; null (Malformed) when a call's name or arguments are not what training accepts.</summary>
    private static JsonObject? Assistant(
        string? content, List<(string Id, string Name, string Arguments)> calls, Func<string, string> clean, ref CaptureResult failure)
    {
        var message = new JsonObject { ["role"] = "assistant" };
        if (content is not null || calls.Count == 0)
        {
            message["content"] = clean(content ?? "");
        }

        if (calls.Count == 0)
        {
            return message;
        }

        var toolCalls = new JsonArray();
        foreach (var (id, name, arguments) in calls)
        {
            JsonNode? parsed;
            try
            {
                parsed = JsonNode.Parse(arguments);
            }
            catch (JsonException)
            {
                parsed = null;
            }

            if (id.Length == 0 || !FunctionName().IsMatch(name) || parsed is not JsonObject)
            {
                failure = CaptureResult.Malformed;
                return null;
            }

            CleanStrings(parsed, clean);
            toolCalls.Add(new JsonObject
            {
                ["id"] = id,
                ["type"] = "function",
                ["function"] = new JsonObject { ["name"] = name, ["arguments"] = parsed.ToJsonString(Compact) },
            });
        }

        message["tool_calls"] = toolCalls;
        return message;
    }

    private static JsonArray Tools(IReadOnlyList<ToolSpec> tools, Func<string, string> clean)
    {
        var array = new JsonArray();
        foreach (var tool in tools)
        {
            var function = new JsonObject { ["name"] = tool.Name };
            if (tool.Description is { } description)
            {
                function["description"] = clean(description);
            }

            if (tool.Parameters is { } parameters)
            {
                var schema = JsonNode.Parse(parameters.GetRawText());
                CleanStrings(schema, clean);
                function["parameters"] = schema;
            }

            array.Add(new JsonObject { ["type"] = "function", ["function"] = function });
        }

        return array;
    }

    /// <summary>Redacts every string value under <paramref name="node"/> (names of fields stay, and are scanned later).</summary>
    private static void CleanStrings(JsonNode? node, Func<string, string> clean)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (name, value) in obj.ToList())
                {
                    if (value is JsonValue text && text.TryGetValue<string>(out var s))
                    {
                        obj[name] = clean(s);
                    }
                    else
                    {
                        CleanStrings(value, clean);
                    }
                }

                break;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    if (array[i] is JsonValue text && text.TryGetValue<string>(out var s))
                    {
                        array[i] = clean(s);
                    }
                    else
                    {
                        CleanStrings(array[i], clean);
                    }
                }

                break;
        }
    }

    /// <summary>
    /// The last word: every string of the record (names and values, tool arguments included) through the detectors.
    /// Redacting, nothing may fire; not redacting, nothing may imply a level above the maximum.
    /// </summary>
    private static bool Keepable(JsonObject record, DetectorSet detectors, CaptureSettings settings)
    {
        ulong fired = 0;
        foreach (var text in Strings(record))
        {
            fired = detectors.Run(Encoding.UTF8.GetBytes(text), fired);
        }

        return settings.Redact ? fired == 0 : detectors.LevelOf(fired) <= settings.MaxLevel;
    }

    private static IEnumerable<string> Strings(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (name, value) in obj)
                {
                    yield return name;
                    foreach (var text in Strings(value))
                    {
                        yield return text;
                    }
                }

                break;
            case JsonArray array:
                foreach (var item in array)
                {
                    foreach (var text in Strings(item))
                    {
                        yield return text;
                    }
                }

                break;
            case JsonValue value when value.TryGetValue<string>(out var s):
                yield return s;
                if (s.Length > 1 && s[0] == '{' && TryParse(s) is { } nested)
                {
                    // Tool-call arguments are JSON inside a string: scan what they say once unescaped too.
                    foreach (var text in Strings(nested))
                    {
                        yield return text;
                    }
                }

                break;
        }
    }

    private static JsonNode? TryParse(string text)
    {
        try
        {
            return JsonNode.Parse(text);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>OpenAI's rule for function names.</summary>
    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$", RegexOptions.CultureInvariant)]
    private static partial Regex FunctionName();
}
