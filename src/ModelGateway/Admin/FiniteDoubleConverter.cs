using System.Text.Json;
using System.Text.Json.Serialization;

namespace ModelGateway.Admin;

/// <summary>
/// A number too large for a double (<c>1e400</c>) reads as infinity, which JSON cannot write back: refuse it when
/// reading, so it is reported by its path instead of failing when the canonical document is written.
/// </summary>
internal sealed class FiniteDoubleConverter : JsonConverter<double>
{
    public override double Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var value = reader.GetDouble();
        return double.IsFinite(value) ? value : throw new JsonException("The number is out of range.");
    }

    public override void Write(Utf8JsonWriter writer, double value, JsonSerializerOptions options) => writer.WriteNumberValue(value);
}
