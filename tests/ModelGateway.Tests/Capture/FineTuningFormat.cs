using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace ModelGateway.Tests.Capture;

/// <summary>
/// A validator of OpenAI chat fine-tuning files, written from OpenAI's documented rules (the fine-tuning guide's
/// "preparing your dataset" and the <c>FineTuneChatRequestInput</c> schema of the API reference) rather than from the
/// gateway's code, so the export is checked against the format, not against itself:
/// <list type="bullet">
/// <item>UTF-8 JSONL: one JSON object per line, every line ended by a line feed, no blank lines.</item>
/// <item>A line has <c>messages</c> (required, at least one) and optionally <c>tools</c> and <c>parallel_tool_calls</c>.</item>
/// <item>Roles are <c>system</c>, <c>user</c>, <c>assistant</c>, <c>tool</c>; each role has its own fields and no others.</item>
/// <item>system, user and tool messages have string content; tool messages a <c>tool_call_id</c> answering a call of the
/// assistant message before them; an assistant message has string content, or tool calls and optional content.</item>
/// <item>A tool call is <c>{id, type:"function", function:{name, arguments}}</c>, <c>arguments</c> a string holding a
/// JSON object; function names match <c>^[a-zA-Z0-9_-]{1,64}$</c> and are among <c>tools</c>.</item>
/// <item><c>weight</c>, only on assistant messages, is 0 or 1; the example ends with an assistant message that is trained on.</item>
/// <item>Every tool call before the final answer is answered before the conversation goes on.</item>
/// </list>
/// </summary>
internal static partial class FineTuningFormat
{
    private static readonly HashSet<string> TopLevel = ["messages", "tools", "parallel_tool_calls"];

    private static readonly Dictionary<string, HashSet<string>> FieldsByRole = new()
    {
        ["system"] = ["role", "content", "name"],
        ["user"] = ["role", "content", "name"],
        ["assistant"] = ["role", "content", "name", "tool_calls", "weight", "refusal"],
        ["tool"] = ["role", "content", "tool_call_id"],
    };

    /// <summary>Every problem of the file; empty when OpenAI's fine-tuning upload would accept it.</summary>
    public static List<string> Problems(string file)
    {
        var problems = new List<string>();
        if (file.Length == 0)
        {
            return problems;
        }

        if (!file.EndsWith('\n'))
        {
            problems.Add("the file does not end with a line feed");
        }

        var lines = file.TrimEnd('\n').Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            foreach (var problem in LineProblems(lines[i]))
            {
                problems.Add($"line {i + 1}: {problem}");
            }
        }

        return problems;
    }

    public static void AssertValid(string file)
    {
        var problems = Problems(file);
        Assert.True(problems.Count == 0, "Not a valid fine-tuning file:\n" + string.Join('\n', problems) + "\n---\n" + file);
    }

    private static List<string> LineProblems(string line)
    {
        var problems = new List<string>();
        if (line.Length == 0 || line.Contains('\r', StringComparison.Ordinal))
        {
            problems.Add("blank line or carriage return");
            return problems;
        }

        JsonObject example;
        try
        {
            example = JsonNode.Parse(line) as JsonObject ?? throw new JsonException("not an object");
        }
        catch (JsonException ex)
        {
            problems.Add("not a JSON object: " + ex.Message);
            return problems;
        }

        problems.AddRange(example.Select(p => p.Key).Where(k => !TopLevel.Contains(k)).Select(k => $"unknown top-level key '{k}'"));
        var toolNames = Tools(example["tools"], problems);
        if (example["parallel_tool_calls"] is { } parallel && parallel.GetValueKind() is not (JsonValueKind.True or JsonValueKind.False))
        {
            problems.Add("parallel_tool_calls is not a boolean");
        }

        if (example["messages"] is not JsonArray messages || messages.Count == 0)
        {
            problems.Add("messages is missing or empty");
            return problems;
        }

        var pending = new HashSet<string>(StringComparer.Ordinal);
        for (var m = 0; m < messages.Count; m++)
        {
            var at = $"messages[{m}]";
            if (messages[m] is not JsonObject message || Text(message["role"]) is not { } role || !FieldsByRole.TryGetValue(role, out var fields))
            {
                problems.Add($"{at} has no known role (system, user, assistant, tool)");
                continue;
            }

            problems.AddRange(message.Select(p => p.Key).Where(k => !fields.Contains(k)).Select(k => $"{at} ({role}) has unrecognised key '{k}'"));
            if (message["name"] is { } name && Text(name) is null)
            {
                problems.Add($"{at}.name is not a string");
            }

            if (role != "tool" && pending.Count > 0)
            {
                problems.Add($"{at}: tool calls {string.Join(", ", pending)} are not answered before the conversation goes on");
                pending.Clear();
            }

            switch (role)
            {
                case "system" or "user":
                    if (Text(message["content"]) is null)
                    {
                        problems.Add($"{at}.content must be a string");
                    }

                    break;
                case "tool":
                    if (Text(message["content"]) is null)
                    {
                        problems.Add($"{at}.content must be a string");
                    }

                    if (Text(message["tool_call_id"]) is not { } answered || !pending.Remove(answered))
                    {
                        problems.Add($"{at}.tool_call_id does not answer a pending call of the assistant message before it");
                    }

                    break;
                case "assistant":
                    var calls = ToolCalls(message["tool_calls"], at, toolNames, problems);
                    var content = message["content"];
                    if (calls.Count == 0 && Text(content) is null)
                    {
                        problems.Add($"{at}.content must be a string when there are no tool calls");
                    }
                    else if (content is not null && Text(content) is null)
                    {
                        problems.Add($"{at}.content must be a string or absent");
                    }

                    if (message["weight"] is { } weight && !(weight.GetValueKind() == JsonValueKind.Number && weight.GetValue<double>() is 0 or 1))
                    {
                        problems.Add($"{at}.weight must be 0 or 1");
                    }

                    if (m < messages.Count - 1)
                    {
                        pending.UnionWith(calls);
                    }

                    break;
            }
        }

        if (messages[^1] is not JsonObject last || Text(last["role"]) != "assistant")
        {
            problems.Add("the example does not end with an assistant message");
        }
        else if (last["weight"] is { } lastWeight && lastWeight.GetValue<double>() == 0)
        {
            problems.Add("the final assistant message has weight 0: nothing to train on");
        }

        return problems;
    }

    private static HashSet<string>? Tools(JsonNode? node, List<string> problems)
    {
        if (node is null)
        {
            return null;
        }

        if (node is not JsonArray tools)
        {
            problems.Add("tools is not an array");
            return null;
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var tool in tools)
        {
            if (tool is not JsonObject t || Text(t["type"]) != "function" || t["function"] is not JsonObject function
                || t.Count != 2 || Text(function["name"]) is not { } name || !FunctionName().IsMatch(name))
            {
                problems.Add("tools: every tool must be {type:\"function\", function:{name, description?, parameters?}} with a valid name");
                continue;
            }

            if (function.Any(p => p.Key is not ("name" or "description" or "parameters" or "strict"))
                || (function["description"] is { } d && Text(d) is null) || (function["parameters"] is { } p && p is not JsonObject))
            {
                problems.Add($"tools: function '{name}' has unrecognised fields or a description that is not a string or parameters that are not an object");
            }

            if (!names.Add(name))
            {
                problems.Add($"tools: '{name}' is defined twice");
            }
        }

        return names;
    }

    private static List<string> ToolCalls(JsonNode? node, string at, HashSet<string>? toolNames, List<string> problems)
    {
        var ids = new List<string>();
        if (node is null)
        {
            return ids;
        }

        if (node is not JsonArray calls || calls.Count == 0)
        {
            problems.Add($"{at}.tool_calls must be a non-empty array");
            return ids;
        }

        foreach (var item in calls)
        {
            if (item is not JsonObject call || call.Count != 3 || Text(call["id"]) is not { Length: > 0 } id || Text(call["type"]) != "function"
                || call["function"] is not JsonObject function || function.Count != 2
                || Text(function["name"]) is not { } name || Text(function["arguments"]) is not { } arguments)
            {
                problems.Add($"{at}.tool_calls: every call must be {{id, type:\"function\", function:{{name, arguments}}}}");
                continue;
            }

            ids.Add(id);
            if (!FunctionName().IsMatch(name))
            {
                problems.Add($"{at}.tool_calls: '{name}' is not a valid function name");
            }

            if (toolNames is null || !toolNames.Contains(name))
            {
                problems.Add($"{at}.tool_calls: '{name}' is not among the example's tools");
            }

            try
            {
                if (JsonNode.Parse(arguments) is not JsonObject)
                {
                    problems.Add($"{at}.tool_calls: the arguments of '{name}' are not a JSON object");
                }
            }
            catch (JsonException)
            {
                problems.Add($"{at}.tool_calls: the arguments of '{name}' are not valid JSON");
            }
        }

        if (ids.Distinct(StringComparer.Ordinal).Count() != ids.Count)
        {
            problems.Add($"{at}.tool_calls: call ids repeat");
        }

        return ids;
    }

    private static string? Text(JsonNode? node) =>
        node is JsonValue value && value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : null;

    [GeneratedRegex("^[a-zA-Z0-9_-]{1,64}$")]
    private static partial Regex FunctionName();

    /// <summary>The lines of a valid file as objects.</summary>
    public static List<JsonObject> Lines(string file) =>
        [.. file.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonNode.Parse(line)!.AsObject())];

    /// <summary>Guards the validator itself: a few broken examples it must refuse.</summary>
    public static IEnumerable<string> KnownBad() =>
    [
        """{"messages":[{"role":"user","content":"hi"}]}""",
        """{"messages":[{"role":"developer","content":"x"},{"role":"assistant","content":"y"}]}""",
        """{"messages":[{"role":"user","content":"hi"},{"role":"assistant","tool_calls":[{"id":"c1","type":"function","function":{"name":"f","arguments":{"a":1}}}]}],"tools":[{"type":"function","function":{"name":"f"}}]}""",
        """{"messages":[{"role":"user","content":"hi"},{"role":"assistant","tool_calls":[{"id":"c1","type":"function","function":{"name":"f","arguments":"{}"}}]},{"role":"tool","tool_call_id":"c2","content":"r"},{"role":"assistant","content":"ok"}],"tools":[{"type":"function","function":{"name":"f"}}]}""",
        """{"messages":[{"role":"user","content":"hi"},{"role":"assistant","tool_calls":[{"id":"c1","type":"function","function":{"name":"f","arguments":"{}"}}]},{"role":"user","content":"again"},{"role":"assistant","content":"ok"}],"tools":[{"type":"function","function":{"name":"f"}}]}""",
        """{"messages":[{"role":"user","content":"hi"},{"role":"assistant","content":"ok","weight":0}]}""",
        """{"messages":[{"role":"user","content":"hi"},{"role":"assistant","content":"ok"}],"model":"x"}""",
        """{"messages":[{"role":"user","content":"hi"},{"role":"assistant","tool_calls":[{"id":"c1","type":"function","function":{"name":"g","arguments":"{}"}}]}],"tools":[{"type":"function","function":{"name":"f"}}]}""",
    ];

    public static string File(IEnumerable<string> lines)
    {
        var builder = new StringBuilder();
        foreach (var line in lines)
        {
            builder.Append(line).Append('\n');
        }

        return builder.ToString();
    }
}
