using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace ModelGateway.Simulator.Generation;

/// <summary>
/// Builds the arguments of a simulated tool call from the function's JSON Schema: one value per property of
/// <c>properties</c>: string "sim-&lt;name&gt;", number or integer 42, boolean true, anything else null.
/// </summary>
internal static class ToolArguments
{
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string Build(JsonElement? parameters)
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            if (parameters is { ValueKind: JsonValueKind.Object } schema
                && schema.TryGetProperty("properties", out var properties)
                && properties.ValueKind == JsonValueKind.Object)
            {
                foreach (var property in properties.EnumerateObject())
                {
                    WriteValue(writer, property.Name, TypeOf(property.Value));
                }
            }

            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static void WriteValue(Utf8JsonWriter writer, string name, string? type)
    {
        switch (type)
        {
            case "string":
                writer.WriteString(name, "sim-" + name);
                break;
            case "number" or "integer":
                writer.WriteNumber(name, 42);
                break;
            case "boolean":
                writer.WriteBoolean(name, true);
                break;
            default:
                writer.WriteNull(name);
                break;
        }
    }

    /// <summary>The schema's <c>type</c>; for a list of types, the first one that is not "null".</summary>
    private static string? TypeOf(JsonElement schema)
    {
        if (schema.ValueKind != JsonValueKind.Object || !schema.TryGetProperty("type", out var type))
        {
            return null;
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
