using System.Text.Json;
using Microsoft.Extensions.Options;

namespace ModelGateway.Simulator.OpenAi;

/// <summary><c>GET /v1/models</c> and <c>GET /v1/models/{id}</c> over the configured model names.</summary>
internal sealed class ModelsEndpoints(IOptions<SimulatorOptions> options)
{
    /// <summary>A fixed creation time (2025-01-01) so listings are the same on every run.</summary>
    public const long Created = 1_735_689_600;
    public const string OwnedBy = "modelgateway-simulator";

    private readonly string[] _models = [.. options.Value.Models];

    public Task ListAsync(HttpContext context) =>
        OpenAiResponses.WriteJsonAsync(context, _models, static (writer, models) =>
        {
            writer.WriteStartObject();
            writer.WriteString("object"u8, "list"u8);
            writer.WriteStartArray("data"u8);
            foreach (var model in models)
            {
                WriteModel(writer, model);
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        });

    public Task GetAsync(HttpContext context)
    {
        // Ids may hold slashes ("Qwen/Qwen3-32B"), which clients send escaped.
        var id = Uri.UnescapeDataString(context.Request.RouteValues["id"] as string ?? string.Empty);
        return Array.IndexOf(_models, id) < 0
            ? OpenAiResponses.WriteErrorAsync(context, OpenAiErrors.ModelNotFound(id))
            : OpenAiResponses.WriteJsonAsync(context, id, WriteModel);
    }

    private static void WriteModel(Utf8JsonWriter writer, string id)
    {
        writer.WriteStartObject();
        writer.WriteString("id"u8, id);
        writer.WriteString("object"u8, "model"u8);
        writer.WriteNumber("created"u8, Created);
        writer.WriteString("owned_by"u8, OwnedBy);
        writer.WriteEndObject();
    }
}
