using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ModelGateway.Tests.Sensitivity;

/// <summary>
/// One generated request body: a random JSON shape for chat, embeddings or explain, maybe a secret at a random
/// place (value, property name, any depth, any field, escaped or not), maybe a byte-level mutation.
/// </summary>
internal sealed class FuzzBody
{
    /// <summary>Renderings every detector must catch: cards with each kind of separator, a key header, an AWS key id.</summary>
    public static readonly string[] Secrets =
    [
        "4111 1111 1111 1111", "4111-1111-1111-1111", "4111111111111111", "4111\u00a01111\u00a01111\u00a01111",
        "4111\u202f1111\u202f1111\u202f1111", "4111\u20091111\u20091111\u20091111", "4111.1111.1111.1111", "4111/1111/1111/1111",
        "4111\u20131111\u20131111\u20131111", "5555 5555 5555 4444", "3782 822463 10005",
        "-----BEGIN RSA PRIVATE KEY-----", "-----BEGIN OPENSSH PRIVATE KEY-----", "AKIAIOSFODNN7EXAMPLE",
    ];

    private static readonly string[] Words = ["hello", "order", "the", "quarterly", "report", "x", "", "é", "日本語", "2024-01-15", "v1.2.3", "+1 555 123 4567", "😀"];
    private static readonly string[] Keys =
    [
        "content", "text", "name", "description", "refusal", "arguments", "input", "metadata", "tools", "function", "parameters",
        "properties", "prediction", "response_format", "json_schema", "schema", "user", "type", "role", "x", "vendor", "data", "url",
    ];

    private FuzzBody(string path, byte[] bytes, string? secret, string mutation)
    {
        Path = path;
        Bytes = bytes;
        Secret = secret;
        Mutation = mutation;
    }

    public string Path { get; }

    public byte[] Bytes { get; }

    public string? Secret { get; }

    public string Mutation { get; }

    public static FuzzBody Create(int seed, int index)
    {
        var random = new Random(HashCode.Combine(seed, index) ^ index);
        var path = (index % 3) switch { 0 => "/v1/chat/completions", 1 => "/v1/embeddings", _ => "/v1/route/explain" };
        var root = path == "/v1/embeddings" ? Embeddings(random) : Chat(random);
        for (var i = random.Next(3); i > 0; i--)
        {
            root[Key(random) + i.ToString(CultureInfo.InvariantCulture)] = Value(random, 0);
        }

        string? secret = null;
        if (random.NextDouble() < 0.5)
        {
            secret = Secrets[random.Next(Secrets.Length)];
            Place(random, root, random.Next(3) == 0 ? secret : $"{Pick(random, Words)} {secret} {Pick(random, Words)}".Trim());
        }

        var json = root.ToJsonString(new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        if (random.Next(4) == 0)
        {
            json = EscapeSome(random, json);
        }

        var bytes = Encoding.UTF8.GetBytes(json);
        var mutation = "none";
        if (random.NextDouble() < 0.35)
        {
            (bytes, mutation) = Mutate(random, bytes);
        }

        return new FuzzBody(path, bytes, secret, mutation);
    }

    public string Describe() =>
        $"mutation={Mutation} secret={(Secret is null ? "-" : JsonSerializer.Serialize(Secret))} bytes={Convert.ToBase64String(Bytes)} text={Encoding.UTF8.GetString(Bytes)}";

    /// <summary>What is wrong with a body the public simulator received: a secret, or text that is not valid; null when fine.</summary>
    public static string? FindProblem(string body) => FindTextProblem(body) ?? FindSecret(body);

    /// <summary>Null when the body is one valid JSON value whose every string is valid text.</summary>
    public static string? FindTextProblem(string body)
    {
        if (body.Contains('\uFFFD', StringComparison.Ordinal))
        {
            return "bytes that are not UTF-8";
        }

        try
        {
            using var document = JsonDocument.Parse(body);
            foreach (var text in Strings(document.RootElement))
            {
                _ = text;
            }

            return null;
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            return "a body that is not valid JSON text: " + ex.Message;
        }
    }

    private static string? FindSecret(string body)
    {
        using var document = JsonDocument.Parse(body);
        foreach (var text in Strings(document.RootElement))
        {
            foreach (var secret in Secrets)
            {
                for (var at = text.IndexOf(secret, StringComparison.Ordinal); at >= 0; at = text.IndexOf(secret, at + 1, StringComparison.Ordinal))
                {
                    // Only the secret as written counts: a digit or letter glued to it makes another token.
                    var end = at + secret.Length;
                    if ((at == 0 || !IsWordChar(text[at - 1])) && (end == text.Length || !IsWordChar(text[end])))
                    {
                        return "the secret " + JsonSerializer.Serialize(secret);
                    }
                }
            }
        }

        return null;
    }

    private static bool IsWordChar(char c) => char.IsLetterOrDigit(c) || c == '_';

    private static IEnumerable<string> Strings(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                yield return element.GetString()!;
                break;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                {
                    foreach (var text in Strings(item))
                    {
                        yield return text;
                    }
                }

                break;
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    yield return property.Name;
                    foreach (var text in Strings(property.Value))
                    {
                        yield return text;
                    }
                }

                break;
        }
    }

    private static JsonObject Chat(Random random)
    {
        var messages = new JsonArray();
        for (var i = random.Next(1, 5); i > 0; i--)
        {
            messages.Add(random.Next(8) switch
            {
                0 => Value(random, 2),
                1 => new JsonObject { ["role"] = "user", ["content"] = new JsonArray(Value(random, 3), new JsonObject { ["type"] = "text", ["text"] = Text(random) }) },
                2 => new JsonObject { ["role"] = "assistant", ["content"] = null, ["refusal"] = Text(random), ["tool_calls"] = new JsonArray(new JsonObject { ["id"] = "c1", ["type"] = "function", ["function"] = new JsonObject { ["name"] = "f", ["arguments"] = "{\"a\":1}" } }) },
                3 => new JsonObject { ["role"] = "tool", ["tool_call_id"] = "c1", ["content"] = Text(random) },
                _ => new JsonObject { ["role"] = Pick(random, ["user", "system", "developer"]), ["content"] = Text(random), ["name"] = Text(random) },
            });
        }

        var root = new JsonObject { ["model"] = random.Next(20) == 0 ? Text(random) : "chat", ["messages"] = messages };
        if (random.Next(3) == 0)
        {
            root["tools"] = new JsonArray(new JsonObject
            {
                ["type"] = "function",
                ["function"] = new JsonObject { ["name"] = "lookup", ["description"] = Text(random), ["parameters"] = Value(random, 1) },
            });
        }

        if (random.Next(4) == 0)
        {
            root["stream"] = random.Next(2) == 0;
        }

        if (random.Next(5) == 0)
        {
            root["max_tokens"] = random.Next(-2, 100);
        }

        return root;
    }

    private static JsonObject Embeddings(Random random)
    {
        JsonNode? input = random.Next(5) switch
        {
            0 => Text(random),
            1 => new JsonArray(Text(random), Text(random)),
            2 => new JsonArray(1, 2, 3),
            3 => new JsonArray(new JsonArray(4, 5), new JsonArray(6)),
            _ => Value(random, 1),
        };
        return new JsonObject { ["model"] = random.Next(20) == 0 ? Text(random) : "embed", ["input"] = input };
    }

    private static JsonNode? Value(Random random, int depth) => (depth > 5 ? random.Next(4) : random.Next(7)) switch
    {
        0 => Text(random),
        1 => random.Next(-1000, 1000),
        2 => random.Next(2) == 0,
        3 => null,
        4 => new JsonArray([.. Enumerable.Range(0, random.Next(4)).Select(_ => Value(random, depth + 1))]),
        _ => Object(random, depth + 1),
    };

    private static JsonObject Object(Random random, int depth)
    {
        var obj = new JsonObject();
        for (var i = random.Next(4); i > 0; i--)
        {
            obj[Key(random) + (i > 1 ? i.ToString(CultureInfo.InvariantCulture) : string.Empty)] = Value(random, depth);
        }

        return obj;
    }

    private static string Text(Random random) => string.Join(' ', Enumerable.Range(0, random.Next(1, 4)).Select(_ => Pick(random, Words)));

    private static string Key(Random random) => Pick(random, Keys);

    private static string Pick(Random random, string[] values) => values[random.Next(values.Length)];

    /// <summary>Puts <paramref name="text"/> somewhere in the tree: as a string value or a property name, at any depth.</summary>
    private static void Place(Random random, JsonObject root, string text)
    {
        var containers = new List<JsonNode>();
        Collect(root, containers);
        var target = containers[random.Next(containers.Count)];
        if (target is JsonArray array)
        {
            array.Insert(random.Next(array.Count + 1), (JsonNode)text);
        }
        else if (target is JsonObject obj)
        {
            if (random.Next(4) == 0 && !obj.ContainsKey(text))
            {
                obj[text] = Value(random, 4);
            }
            else
            {
                obj[Key(random) + "_s"] = text;
            }
        }
    }

    private static void Collect(JsonNode node, List<JsonNode> containers)
    {
        containers.Add(node);
        var children = node switch
        {
            JsonObject obj => obj.Select(p => p.Value),
            JsonArray array => array.AsEnumerable(),
            _ => [],
        };
        foreach (var child in children)
        {
            if (child is JsonObject or JsonArray)
            {
                Collect(child, containers);
            }
        }
    }

    /// <summary>Writes some characters inside strings as \uXXXX escapes (what other JSON writers do).</summary>
    private static string EscapeSome(Random random, string json)
    {
        var builder = new StringBuilder(json.Length * 2);
        var inString = false;
        for (var i = 0; i < json.Length; i++)
        {
            var ch = json[i];
            if (inString && ch == '\\')
            {
                // An escape the writer made: copy it whole (\uXXXX is six characters).
                var length = json[i + 1] == 'u' ? 6 : 2;
                builder.Append(json, i, length);
                i += length - 1;
                continue;
            }

            if (ch == '"')
            {
                inString = !inString;
            }
            else if (inString && random.Next(3) == 0)
            {
                builder.Append(CultureInfo.InvariantCulture, $"\\u{(int)ch:x4}");
                continue;
            }

            builder.Append(ch);
        }

        return builder.ToString();
    }

    private static (byte[], string) Mutate(Random random, byte[] bytes)
    {
        var at = random.Next(bytes.Length + 1);
        byte[] Insert(byte[] extra) => [.. bytes[..at], .. extra, .. bytes[at..]];
        switch (random.Next(9))
        {
            case 0:
                return (bytes[..at], "truncated at " + at);
            case 1:
                byte[][] invalid = [[0xFF], [0xC3], [0xED, 0xA0, 0x80], [0xF8, 0x88, 0x80, 0x80, 0x80], [0xE2, 0x82]];
                return (Insert(invalid[random.Next(invalid.Length)]), "invalid UTF-8 at " + at);
            case 2:
                var quote = Array.IndexOf(bytes, (byte)'"', at);
                return quote < 0 ? (bytes, "none") : ([.. bytes[..(quote + 1)], .. "\\ud800"u8.ToArray(), .. bytes[(quote + 1)..]], "lone surrogate after " + quote);
            case 3:
                var depth = random.Next(30, 200);
                var nested = Encoding.UTF8.GetBytes("{\"deep\":" + new string('[', depth) + "\"4111 1111 1111 1111\"" + new string(']', depth) + ",");
                return ([(byte)'{', .. nested[1..], .. bytes[1..]], "nested " + depth);
            case 4:
                var huge = random.Next(2) == 0 ? "1e99999" : "9" + new string('9', random.Next(20, 400));
                var field = random.Next(2) == 0 ? "max_tokens" : Key(random) + "_n";
                return ([.. Encoding.UTF8.GetBytes("{\"" + field + "\":" + huge + ","), .. bytes[1..]], "huge number in " + field);
            case 5:
                string[] trailing = [" xyz", "{}", "[1]", "\u0000", "}", " \"4111 1111 1111 1111\""];
                return ([.. bytes, .. Encoding.UTF8.GetBytes(trailing[random.Next(trailing.Length)])], "trailing data");
            case 6:
                return (at < bytes.Length ? [.. bytes[..at], (byte)random.Next(256), .. bytes[(at + 1)..]] : bytes, "byte flipped at " + at);
            case 7:
                return (Insert("\\"u8.ToArray()), "stray backslash at " + at);
            default:
                return ([], "empty");
        }
    }
}
