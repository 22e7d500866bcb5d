using System.Buffers;
using System.IO.Pipelines;
using System.Text.Json;
using System.Text.Json.Nodes;
using ModelGateway.Simulator.Hosting;
using ModelGateway.Simulator.OpenAi;

namespace ModelGateway.Simulator.Azure;

/// <summary>
/// Azure OpenAI's URLs over the simulator's OpenAI endpoints: classic <c>/openai/deployments/{deployment}/...?api-version=</c>
/// (the deployment in the URL is the model) and the <c>/openai/v1/...</c> surface. Streams start, as Azure's do, with a
/// chunk whose <c>choices</c> is empty and <c>id</c>/<c>model</c> blank, carrying <c>prompt_filter_results</c>.
/// </summary>
internal static class AzureEndpoints
{
    public static void Map(WebApplication app)
    {
        var chat = app.Services.GetRequiredService<ChatCompletionsEndpoint>();
        var embeddings = app.Services.GetRequiredService<EmbeddingsEndpoint>();
        var completions = app.Services.GetRequiredService<CompletionsEndpoint>();
        var deployments = app.MapGroup(WireFormats.Azure + "/deployments/{deployment}");
        deployments.MapPost("/chat/completions", (HttpContext context, string deployment) =>
            ClassicAsync(context, deployment, c => chat.HandleAsync(c, WritePromptFilterChunk)));
        deployments.MapPost("/embeddings", (HttpContext context, string deployment) =>
            ClassicAsync(context, deployment, embeddings.HandleAsync));
        deployments.MapPost("/completions", (HttpContext context, string deployment) =>
            ClassicAsync(context, deployment, completions.HandleAsync));
        var v1 = app.MapGroup(WireFormats.Azure + "/v1");
        v1.MapPost("/chat/completions", (HttpContext context) => chat.HandleAsync(context, WritePromptFilterChunk));
        v1.MapPost("/embeddings", (RequestDelegate)embeddings.HandleAsync);
        v1.MapPost("/completions", (RequestDelegate)completions.HandleAsync);
    }

    private static async Task ClassicAsync(HttpContext context, string deployment, RequestDelegate handle)
    {
        if (string.IsNullOrEmpty(context.Request.Query["api-version"]))
        {
            await AzureErrors.WriteAsync(context, 404, "404", "Resource not found");
            return;
        }

        // The deployment named in the URL is the model, whatever the body says.
        var feature = SimulatorRequestFeature.Get(context);
        var body = feature.BufferedBody ?? await ReadBodyAsync(context);
        try
        {
            if (JsonNode.Parse(body.Span) is JsonObject root)
            {
                root["model"] = deployment;
                body = JsonSerializer.SerializeToUtf8Bytes(root);
            }
        }
        catch (JsonException)
        {
            // The OpenAI handler reports the invalid body.
        }

        feature.BufferedBody = body;
        await handle(context);
    }

    private static async Task<ReadOnlyMemory<byte>> ReadBodyAsync(HttpContext context)
    {
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer, context.RequestAborted);
        return buffer.ToArray();
    }

    private static void WritePromptFilterChunk(PipeWriter pipe)
    {
        pipe.Write("data: "u8);
        using (var json = new Utf8JsonWriter(pipe, OpenAiJson.WriterOptions))
        {
            json.WriteStartObject();
            json.WriteStartArray("choices"u8);
            json.WriteEndArray();
            json.WriteNumber("created"u8, 0);
            json.WriteString("id"u8, ""u8);
            json.WriteString("model"u8, ""u8);
            json.WriteString("object"u8, ""u8);
            json.WriteStartArray("prompt_filter_results"u8);
            json.WriteStartObject();
            json.WriteNumber("prompt_index"u8, 0);
            json.WriteStartObject("content_filter_results"u8);
            AzureErrors.WriteCategory(json, "hate"u8, filtered: false, "safe"u8);
            AzureErrors.WriteCategory(json, "self_harm"u8, filtered: false, "safe"u8);
            AzureErrors.WriteCategory(json, "sexual"u8, filtered: false, "safe"u8);
            AzureErrors.WriteCategory(json, "violence"u8, filtered: false, "safe"u8);
            json.WriteEndObject();
            json.WriteEndObject();
            json.WriteEndArray();
            json.WriteEndObject();
        }

        pipe.Write("\n\n"u8);
    }
}
