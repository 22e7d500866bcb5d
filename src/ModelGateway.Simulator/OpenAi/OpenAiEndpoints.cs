using ModelGateway.Simulator.Hosting;

namespace ModelGateway.Simulator.OpenAi;

/// <summary>Maps the OpenAI-compatible API under <c>/v1</c>.</summary>
internal static class OpenAiEndpoints
{
    public static void MapOpenAi(this WebApplication app)
    {
        var chat = app.Services.GetRequiredService<ChatCompletionsEndpoint>();
        var embeddings = app.Services.GetRequiredService<EmbeddingsEndpoint>();
        var completions = app.Services.GetRequiredService<CompletionsEndpoint>();
        var models = app.Services.GetRequiredService<ModelsEndpoints>();

        var v1 = app.MapGroup(SimulatorPaths.OpenAi);
        v1.MapPost("/chat/completions", (RequestDelegate)chat.HandleAsync);
        v1.MapPost("/embeddings", (RequestDelegate)embeddings.HandleAsync);
        v1.MapPost("/completions", (RequestDelegate)completions.HandleAsync);
        v1.MapGet("/models", (RequestDelegate)models.ListAsync);
        v1.MapGet("/models/{**id}", (RequestDelegate)models.GetAsync);
        app.MapFallback(SimulatorPaths.OpenAi + "/{**path}", (RequestDelegate)UnknownUrlAsync);
    }

    private static Task UnknownUrlAsync(HttpContext context) =>
        OpenAiResponses.WriteErrorAsync(context, OpenAiErrors.UnknownUrl(context.Request.Method, context.Request.Path.Value ?? "/"));
}
