using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ModelGateway.Experiments;

/// <summary>
/// Reads a replay dataset: JSON Lines, each either an OpenAI chat completions request (<c>model</c> optional, the
/// experiment's model by default), or a line of the OpenAI chat fine-tuning format, whose final assistant message
/// is the reference answer the candidates are compared with (it is taken off before the request is sent). Every
/// problem is reported with its line number before anything runs.
/// </summary>
internal static class ReplayDataset
{
    public const int MaxLines = 100_000;

    public static List<ReplayLine> Parse(ReadOnlySpan<byte> jsonl, string? defaultModel, List<string> errors)
    {
        var lines = new List<ReplayLine>();
        var number = 0;
        foreach (var raw in Encoding.UTF8.GetString(jsonl).Split('\n'))
        {
            number++;
            var text = raw.Trim();
            if (text.Length == 0)
            {
                continue;
            }

            if (lines.Count >= MaxLines)
            {
                errors.Add($"line {number}: a dataset has at most {MaxLines} lines.");
                break;
            }

            if (ParseLine(number, text, defaultModel, errors) is { } line)
            {
                lines.Add(line);
            }

            if (errors.Count >= 20)
            {
                errors.Add("(further lines not checked)");
                break;
            }
        }

        if (lines.Count == 0 && errors.Count == 0)
        {
            errors.Add("The dataset has no lines: send JSON Lines, one request per line.");
        }

        return lines;
    }

    private static ReplayLine? ParseLine(int number, string text, string? defaultModel, List<string> errors)
    {
        var at = "line " + number.ToString(CultureInfo.InvariantCulture);
        JsonObject line;
        try
        {
            if (JsonNode.Parse(text) is not JsonObject parsed)
            {
                errors.Add($"{at}: a JSON object is expected.");
                return null;
            }

            line = parsed;
        }
        catch (JsonException ex)
        {
            errors.Add($"{at}: not valid JSON ({ex.Message}).");
            return null;
        }

        if (line["messages"] is not JsonArray { Count: > 0 } messages)
        {
            errors.Add($"{at}: 'messages' must be a non-empty array.");
            return null;
        }

        Answer? reference = null;
        if (messages[^1] is JsonObject last && (last["role"] as JsonValue)?.GetValue<string>() == "assistant")
        {
            reference = ReferenceOf(last);
            messages.RemoveAt(messages.Count - 1);
            if (messages.Count == 0)
            {
                errors.Add($"{at}: a fine-tuning line needs messages before its assistant answer.");
                return null;
            }
        }

        foreach (var message in messages.OfType<JsonObject>())
        {
            message.Remove("weight"); // The fine-tuning format's training weight is not a request field.
        }

        if (line["model"] is null)
        {
            if (defaultModel is null)
            {
                errors.Add($"{at}: no 'model', and the experiment matches no single model to use instead (pass ?model=).");
                return null;
            }

            line["model"] = defaultModel;
        }

        return new ReplayLine(number, Encoding.UTF8.GetBytes(line.ToJsonString()), reference);
    }

    private static Answer ReferenceOf(JsonObject message)
    {
        var text = message["content"] switch
        {
            JsonValue value when value.TryGetValue<string>(out var s) => s,
            JsonArray parts => string.Concat(parts.OfType<JsonObject>().Select(p => (p["text"] as JsonValue)?.GetValue<string>() ?? "")),
            _ => string.Empty,
        };
        var calls = new List<AnswerToolCall>();
        foreach (var call in (message["tool_calls"] as JsonArray ?? []).OfType<JsonObject>())
        {
            if (call["function"] is JsonObject function)
            {
                calls.Add(new AnswerToolCall(
                    (function["name"] as JsonValue)?.GetValue<string>() ?? string.Empty,
                    function["arguments"] is JsonValue arguments && arguments.TryGetValue<string>(out var json) ? json : function["arguments"]?.ToJsonString() ?? "{}"));
            }
        }

        return new Answer(text, calls);
    }

    /// <summary>A reference answer as an OpenAI chat completion, so it is read like any live answer.</summary>
    public static byte[] AsCompletion(Answer answer)
    {
        var message = new JsonObject { ["role"] = "assistant", ["content"] = answer.ToolCalls.Count > 0 && answer.Text.Length == 0 ? null : answer.Text };
        if (answer.ToolCalls.Count > 0)
        {
            message["tool_calls"] = new JsonArray([.. answer.ToolCalls.Select((c, i) => (JsonNode)new JsonObject
            {
                ["id"] = "ref_" + i.ToString(CultureInfo.InvariantCulture),
                ["type"] = "function",
                ["function"] = new JsonObject { ["name"] = c.Name, ["arguments"] = c.Arguments },
            })]);
        }

        return Encoding.UTF8.GetBytes(new JsonObject
        {
            ["object"] = "chat.completion",
            ["choices"] = new JsonArray(new JsonObject { ["index"] = 0, ["message"] = message, ["finish_reason"] = "stop" }),
        }.ToJsonString());
    }
}
