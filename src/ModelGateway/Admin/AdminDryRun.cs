using System.Buffers;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using ModelGateway.Configuration;
using ModelGateway.FrontDoor;
using ModelGateway.Providers;
using ModelGateway.Routing;
using ModelGateway.Requests;

namespace ModelGateway.Admin;

/// <summary>
/// <c>POST /admin/v1/config/dry-run</c>: validates a change to the whole document (a merge patch, or a whole new
/// document) without applying it, and explains how each sample request would be routed before and after,
/// with the same output as <c>POST /v1/route/explain</c>.
/// </summary>
internal static class AdminDryRun
{
    public static async Task<Results<Ok<JsonObject>, ProblemHttpResult>> RunAsync(
        HttpContext context, AdminConfigService service, IGatewayConfigStore configStore, IRoutePlanner planner, TimeProvider timeProvider)
    {
        var (body, failure) = await AdminHttp.ReadObjectAsync(context);
        if (body is null)
        {
            return AdminHttp.Problem(failure!, context);
        }

        var result = await service.UpdateAsync(AdminAuthorizationFilter.Actor(context), "dry-run", null, dryRun: true, document =>
        {
            if (body["document"] is JsonObject replacement)
            {
                document.Clear();
                foreach (var (name, value) in replacement)
                {
                    document[name] = value?.DeepClone();
                }
            }

            if (body["patch"] is JsonObject patch)
            {
                AdminHttp.MergePatch(document, patch);
            }

            return null;
        }, context.RequestAborted);
        if (result.Write is not { } write)
        {
            return AdminHttp.Problem(result.Failure!, context);
        }

        var before = configStore.Current;
        var after = new GatewaySnapshot(write.Config, before.Version + 1, timeProvider.GetUtcNow());
        var explanations = new JsonArray();
        if (body["samples"] is JsonArray samples)
        {
            var index = 0;
            foreach (var sample in samples)
            {
                if (sample is not JsonObject request || request["body"] is not JsonObject chatBody)
                {
                    return AdminHttp.Problem(AdminFailure.Invalid([$"samples:{index} must be an object with 'body' (a chat completions request), optional 'headers' and 'key'."]), context);
                }

                var bytes = JsonSerializer.SerializeToUtf8Bytes(chatBody);
                var chat = ChatRequestParser.Parse(bytes, out var parseError);
                if (chat is null)
                {
                    return AdminHttp.Problem(AdminFailure.Invalid([$"samples:{index}:body {parseError!.Message}"]), context);
                }

                if (request["key"] is { } key && (key is not JsonValue value || !value.TryGetValue<string>(out _)))
                {
                    return AdminHttp.Problem(AdminFailure.Invalid([$"samples:{index}:key must be a string: the id of a client key."]), context);
                }

                var keyId = (string?)request["key"] ?? "-";
                explanations.Add(new JsonObject
                {
                    ["before"] = Explain(planner, before, request, keyId, bytes, chat),
                    ["after"] = Explain(planner, after, request, keyId, bytes, chat),
                });
                index++;
            }
        }

        var response = AdminResourceEndpoints.DryRunBody(write, null, null);
        response["explanations"] = explanations;
        return TypedResults.Ok(response);
    }

    private static JsonNode? Explain(IRoutePlanner planner, GatewaySnapshot snapshot, JsonObject sample, string keyId, byte[] body, ChatRequest chat)
    {
        var http = new DefaultHttpContext();
        if (sample["headers"] is JsonObject headers)
        {
            foreach (var (name, value) in headers)
            {
                http.Request.Headers[name] = value?.ToString();
            }
        }

        var plan = planner.Plan(new RouteRequest
        {
            Snapshot = snapshot,
            HttpContext = http,
            Operation = Operation.ChatCompletions,
            Model = chat.Model,
            KeyId = keyId,
            Body = body,
            Chat = chat,
        });
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            RouteExplainEndpoint.Write(writer, plan, chat.Stream);
        }

        return JsonNode.Parse(buffer.WrittenSpan);
    }
}
