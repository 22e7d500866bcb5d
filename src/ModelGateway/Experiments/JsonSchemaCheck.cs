using System.Text.Json;

namespace ModelGateway.Experiments;

/// <summary>
/// Checks a JSON value against the JSON Schema subset that tool parameters and structured outputs use in practice:
/// <c>type</c> (one or a list), <c>properties</c>, <c>required</c>, <c>additionalProperties</c> (false or a schema),
/// <c>items</c>, <c>enum</c>, <c>const</c>, <c>anyOf</c>, <c>oneOf</c>, <c>allOf</c>, local <c>$ref</c>
/// (<c>#/$defs/...</c>, <c>#/definitions/...</c>), <c>minItems</c>/<c>maxItems</c>, <c>minLength</c>/<c>maxLength</c>,
/// <c>minimum</c>/<c>maximum</c>. Other keywords (<c>pattern</c>, <c>format</c>) are not checked: the schemas come from
/// clients, and a regular expression from a stranger is not run on a shared worker. Written here rather than taken
/// from a package for that reason, and because it is small; depth is bounded.
/// </summary>
internal static class JsonSchemaCheck
{
    private const int MaxDepth = 64;

    /// <summary>Whether <paramref name="value"/> satisfies <paramref name="schema"/> (a schema that is not an object accepts anything).</summary>
    public static bool IsValid(JsonElement value, JsonElement schema) => Check(value, schema, schema, 0);

    /// <summary>Parses <paramref name="json"/> and checks it; false when it is not JSON.</summary>
    public static bool IsValid(string json, JsonElement schema)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            return IsValid(document.RootElement, schema);
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static bool Check(JsonElement value, JsonElement schema, JsonElement root, int depth)
    {
        if (depth > MaxDepth)
        {
            return false;
        }

        if (schema.ValueKind == JsonValueKind.False)
        {
            return false;
        }

        if (schema.ValueKind != JsonValueKind.Object)
        {
            return true;
        }

        if (schema.TryGetProperty("$ref", out var reference))
        {
            return Resolve(root, reference.GetString()) is { } target && Check(value, target, root, depth + 1);
        }

        if (schema.TryGetProperty("type", out var type) && !TypeMatches(value, type))
        {
            return false;
        }

        if (schema.TryGetProperty("const", out var constant) && !JsonElement.DeepEquals(value, constant))
        {
            return false;
        }

        if (schema.TryGetProperty("enum", out var values) && values.ValueKind == JsonValueKind.Array
            && !values.EnumerateArray().Any(v => JsonElement.DeepEquals(value, v)))
        {
            return false;
        }

        if (!Combinators(value, schema, root, depth))
        {
            return false;
        }

        return value.ValueKind switch
        {
            JsonValueKind.Object => ObjectMatches(value, schema, root, depth),
            JsonValueKind.Array => ArrayMatches(value, schema, root, depth),
            JsonValueKind.String => Within(value.GetString()!.Length, schema, "minLength", "maxLength"),
            JsonValueKind.Number => NumberMatches(value.GetDouble(), schema),
            _ => true,
        };
    }

    private static bool Combinators(JsonElement value, JsonElement schema, JsonElement root, int depth)
    {
        if (schema.TryGetProperty("allOf", out var all) && all.ValueKind == JsonValueKind.Array
            && !all.EnumerateArray().All(s => Check(value, s, root, depth + 1)))
        {
            return false;
        }

        if (schema.TryGetProperty("anyOf", out var any) && any.ValueKind == JsonValueKind.Array
            && !any.EnumerateArray().Any(s => Check(value, s, root, depth + 1)))
        {
            return false;
        }

        return !schema.TryGetProperty("oneOf", out var one) || one.ValueKind != JsonValueKind.Array
            || one.EnumerateArray().Count(s => Check(value, s, root, depth + 1)) == 1;
    }

    private static bool ObjectMatches(JsonElement value, JsonElement schema, JsonElement root, int depth)
    {
        if (schema.TryGetProperty("required", out var required) && required.ValueKind == JsonValueKind.Array)
        {
            foreach (var name in required.EnumerateArray())
            {
                if (name.ValueKind == JsonValueKind.String && !value.TryGetProperty(name.GetString()!, out _))
                {
                    return false;
                }
            }
        }

        var properties = schema.TryGetProperty("properties", out var declared) && declared.ValueKind == JsonValueKind.Object ? declared : default;
        schema.TryGetProperty("additionalProperties", out var additional);
        foreach (var property in value.EnumerateObject())
        {
            if (properties.ValueKind == JsonValueKind.Object && properties.TryGetProperty(property.Name, out var propertySchema))
            {
                if (!Check(property.Value, propertySchema, root, depth + 1))
                {
                    return false;
                }
            }
            else if (additional.ValueKind is JsonValueKind.False || (additional.ValueKind == JsonValueKind.Object && !Check(property.Value, additional, root, depth + 1)))
            {
                return false;
            }
        }

        return true;
    }

    private static bool ArrayMatches(JsonElement value, JsonElement schema, JsonElement root, int depth)
    {
        if (!Within(value.GetArrayLength(), schema, "minItems", "maxItems"))
        {
            return false;
        }

        return !schema.TryGetProperty("items", out var items) || items.ValueKind != JsonValueKind.Object
            || value.EnumerateArray().All(item => Check(item, items, root, depth + 1));
    }

    private static bool NumberMatches(double number, JsonElement schema) =>
        (!schema.TryGetProperty("minimum", out var minimum) || minimum.ValueKind != JsonValueKind.Number || number >= minimum.GetDouble())
        && (!schema.TryGetProperty("maximum", out var maximum) || maximum.ValueKind != JsonValueKind.Number || number <= maximum.GetDouble());

    private static bool Within(int count, JsonElement schema, string min, string max) =>
        (!schema.TryGetProperty(min, out var low) || low.ValueKind != JsonValueKind.Number || count >= low.GetDouble())
        && (!schema.TryGetProperty(max, out var high) || high.ValueKind != JsonValueKind.Number || count <= high.GetDouble());

    private static bool TypeMatches(JsonElement value, JsonElement type) => type.ValueKind switch
    {
        JsonValueKind.String => Is(value, type.GetString()!),
        JsonValueKind.Array => type.EnumerateArray().Any(t => t.ValueKind == JsonValueKind.String && Is(value, t.GetString()!)),
        _ => true,
    };

    private static bool Is(JsonElement value, string type) => type switch
    {
        "object" => value.ValueKind == JsonValueKind.Object,
        "array" => value.ValueKind == JsonValueKind.Array,
        "string" => value.ValueKind == JsonValueKind.String,
        "number" => value.ValueKind == JsonValueKind.Number,
        "integer" => value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out var d) && Math.Floor(d) == d,
        "boolean" => value.ValueKind is JsonValueKind.True or JsonValueKind.False,
        "null" => value.ValueKind == JsonValueKind.Null,
        _ => true,
    };

    private static JsonElement? Resolve(JsonElement root, string? reference)
    {
        if (reference is null || !reference.StartsWith("#/", StringComparison.Ordinal))
        {
            return reference == "#" ? root : null;
        }

        var node = root;
        foreach (var part in reference[2..].Split('/'))
        {
            var name = part.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);
            if (node.ValueKind != JsonValueKind.Object || !node.TryGetProperty(name, out node))
            {
                return null;
            }
        }

        return node;
    }
}
