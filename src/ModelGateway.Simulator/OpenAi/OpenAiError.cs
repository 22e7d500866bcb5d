using System.Text.Json;

namespace ModelGateway.Simulator.OpenAi;

/// <summary>An OpenAI error: an HTTP status and the four keys of the <c>{"error":{...}}</c> envelope.</summary>
internal sealed record OpenAiError(int Status, string Message, string Type, string? Param = null, string? Code = null)
{
    public void WriteTo(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteStartObject("error"u8);
        writer.WriteString("message"u8, Message);
        writer.WriteString("type"u8, Type);
        writer.WriteString("param"u8, Param);
        writer.WriteString("code"u8, Code);
        writer.WriteEndObject();
        writer.WriteEndObject();
    }
}
