using System.Text.Json;
using ModelGateway.Configuration;

namespace ModelGateway.FrontDoor.Protocols.AnthropicMessages;

/// <summary>
/// The public models in the shape of Anthropic's <c>GET /v1/models</c>, for clients that send <c>anthropic-version</c>:
/// <c>{"data":[{"type":"model","id","display_name","created_at"}],"has_more","first_id","last_id"}</c>.
/// </summary>
internal static class AnthropicModelList
{
    public const string VersionHeader = "anthropic-version";

    public static bool IsAsked(HttpRequest request) => request.Headers.ContainsKey(VersionHeader);

    public static void WriteList(Utf8JsonWriter writer, GatewaySnapshot snapshot)
    {
        writer.WriteStartObject();
        writer.WriteStartArray("data"u8);
        string? first = null, last = null;
        foreach (var id in snapshot.ModelIds)
        {
            first ??= id;
            last = id;
            WriteModel(writer, snapshot, id);
        }

        writer.WriteEndArray();
        writer.WriteBoolean("has_more"u8, false);
        writer.WriteString("first_id"u8, first);
        writer.WriteString("last_id"u8, last);
        writer.WriteEndObject();
    }

    public static void WriteModel(Utf8JsonWriter writer, GatewaySnapshot snapshot, string id)
    {
        writer.WriteStartObject();
        writer.WriteString("type"u8, "model"u8);
        writer.WriteString("id"u8, id);
        writer.WriteString("display_name"u8, id);
        writer.WriteString("created_at"u8, snapshot.CreatedAt.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture));
        writer.WriteEndObject();
    }
}
