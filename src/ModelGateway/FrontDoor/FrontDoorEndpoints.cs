using System.Text.Json;
using ModelGateway.Configuration;
using ModelGateway.FrontDoor.Protocols;
using ModelGateway.FrontDoor.Protocols.AnthropicMessages;
using ModelGateway.FrontDoor.Protocols.Responses;
using ModelGateway.Requests;

namespace ModelGateway.FrontDoor;

/// <summary>The client surface: one POST endpoint per inbound protocol module, models, and health probes.</summary>
internal static class FrontDoorEndpoints
{
    public static void MapFrontDoor(this IEndpointRouteBuilder endpoints)
    {
        foreach (var (path, module) in InboundModules.All)
        {
            endpoints.MapPost(path, context => FrontDoorPipeline.ServeAsync(context, module));
        }

        endpoints.MapPost(AnthropicMessagesProtocol.CountTokensPath, CountTokensEndpoint.ServeAsync);
        endpoints.MapResponses();
        endpoints.MapGet("/v1/models", ListModelsAsync);
        endpoints.MapGet("/v1/models/{**id}", GetModelAsync);
        endpoints.MapGet("/healthz", static context => WriteStatusAsync(context, "ok"));
        endpoints.MapGet("/readyz", ReadyAsync);
    }

    private static async Task ListModelsAsync(HttpContext context)
    {
        var snapshot = Services<IGatewayConfigStore>(context).Current;
        context.Response.ContentType = "application/json";
        using (var writer = new Utf8JsonWriter(context.Response.BodyWriter))
        {
            if (AnthropicModelList.IsAsked(context.Request))
            {
                // The Anthropic SDKs' models.list() reads Anthropic's shape, not OpenAI's.
                AnthropicModelList.WriteList(writer, snapshot);
            }
            else
            {
                writer.WriteStartObject();
                writer.WriteString("object"u8, "list"u8);
                writer.WriteStartArray("data"u8);
                foreach (var id in snapshot.ModelIds)
                {
                    WriteModel(writer, snapshot, id);
                }

                writer.WriteEndArray();
                writer.WriteEndObject();
            }
        }

        await context.Response.BodyWriter.FlushAsync(context.RequestAborted);
    }

    private static async Task GetModelAsync(HttpContext context)
    {
        var snapshot = Services<IGatewayConfigStore>(context).Current;
        var id = (string)context.Request.RouteValues["id"]!;
        var anthropic = AnthropicModelList.IsAsked(context.Request);
        if (!snapshot.IsKnownModel(id))
        {
            await (anthropic
                ? AnthropicMessagesProtocol.Instance.WriteErrorAsync(context, GatewayError.ModelNotFound(id))
                : GatewayError.ModelNotFound(id).WriteAsync(context));
            return;
        }

        context.Response.ContentType = "application/json";
        using (var writer = new Utf8JsonWriter(context.Response.BodyWriter))
        {
            if (anthropic)
            {
                AnthropicModelList.WriteModel(writer, snapshot, id);
            }
            else
            {
                WriteModel(writer, snapshot, id);
            }
        }

        await context.Response.BodyWriter.FlushAsync(context.RequestAborted);
    }

    private static void WriteModel(Utf8JsonWriter writer, GatewaySnapshot snapshot, string id)
    {
        writer.WriteStartObject();
        writer.WriteString("id"u8, id);
        writer.WriteString("object"u8, "model"u8);
        writer.WriteNumber("created"u8, snapshot.CreatedAt.ToUnixTimeSeconds());
        writer.WriteString("owned_by"u8, snapshot.Config.Aliases.ContainsKey(id) ? "modelgateway-alias" : "modelgateway");
        writer.WriteEndObject();
    }

    private static Task ReadyAsync(HttpContext context)
    {
        // Shutting down: load balancers stop sending new requests while the ones in flight finish (docs/deployment.md).
        if (Services<DrainState>(context).IsDraining)
        {
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            return WriteStatusAsync(context, "draining");
        }

        // The configuration store throws at start-up when the configuration is invalid; being here, the question
        // left is whether any deployment can be tried: a probe must not pass with nothing to serve.
        var status = Services<Routing.Readiness>(context).Status(Services<IGatewayConfigStore>(context).Current.Config);
        if (status != "ready")
        {
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        }

        return WriteStatusAsync(context, status);
    }

    private static Task WriteStatusAsync(HttpContext context, string status)
    {
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync("{\"status\":\"" + status + "\"}");
    }

    private static T Services<T>(HttpContext context)
        where T : notnull => context.RequestServices.GetRequiredService<T>();
}
