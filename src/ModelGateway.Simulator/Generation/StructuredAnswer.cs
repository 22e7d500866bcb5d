using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace ModelGateway.Simulator.Generation;

/// <summary>
/// The answer to a structured-output request (<c>response_format</c> json_schema): a JSON value valid against the
/// schema's common keywords: an object with every property (nested objects too), the first <c>enum</c> or the
/// <c>const</c> value, strings "sim-&lt;name&gt;", numbers 42, booleans true, arrays empty.
/// </summary>
internal static class StructuredAnswer
{
    private const int MaxDepth = 16;
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string Build(JsonElement schema)
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            WriteValue(writer, "answer", schema, 0);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static void WriteValue(Utf8JsonWriter writer, string name, JsonElement schema, int depth)
    {
        if (schema.ValueKind != JsonValueKind.Object || depth > MaxDepth)
        {
            writer.WriteNullValue();
            return;
        }

        if (schema.TryGetProperty("const", out var constant))
        {
            constant.WriteTo(writer);
            return;
        }

        if (schema.TryGetProperty("enum", out var values) && values.ValueKind == JsonValueKind.Array && values.GetArrayLength() > 0)
        {
            values[0].WriteTo(writer);
            return;
        }

        switch (TypeOf(schema))
        {
            case "object":
                writer.WriteStartObject();
                if (schema.TryGetProperty("properties", out var properties) && properties.ValueKind == JsonValueKind.Object)
                {
                    foreach (var property in properties.EnumerateObject())
                    {
                        writer.WritePropertyName(property.Name);
                        WriteValue(writer, property.Name, property.Value, depth + 1);
                    }
                }

                writer.WriteEndObject();
                break;
            case "array":
                writer.WriteStartArray();
                writer.WriteEndArray();
                break;
            case "string":
                writer.WriteStringValue("sim-" + name);
                break;
            case "number" or "integer":
                writer.WriteNumberValue(42);
                break;
            case "boolean":
                writer.WriteBooleanValue(true);
                break;
            default:
                writer.WriteNullValue();
                break;
        }
    }

    /// <summary>The schema's <c>type</c>; for a list, the first that is not "null"; "object" when it only has properties.</summary>
    private static string? TypeOf(JsonElement schema)
    {
        if (!schema.TryGetProperty("type", out var type))
        {
            return schema.TryGetProperty("properties", out _) ? "object" : null;
        }

        if (type.ValueKind == JsonValueKind.String)
        {
            return type.GetString();
        }

        if (type.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in type.EnumerateArray())
            {
                if (item.ValueKind == JsonValueKind.String && !item.ValueEquals("null"))
                {
                    return item.GetString();
                }
            }
        }

        return null;
    }
}
