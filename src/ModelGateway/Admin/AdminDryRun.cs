using System.Buffers;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using ModelGateway.Configuration;
using ModelGateway.FrontDoor;
using ModelGateway.FrontDoor.Protocols;
using ModelGateway.Routing;

namespace ModelGateway.Admin;

/// <summary>
/// <c>POST /admin/v1/config/dry-run</c>: validates a change to the whole document (a merge patch, or a whole new
/// document) without applying it, and explains how each sample request would be routed before and after,
/// with the same output as <c>POST /v1/route/explain</c>.
/// </summary>
internal static class AdminDryRun
{
    public static async Task<Results<Ok<JsonObject>, ProblemHttpResult>> RunAsync(
        HttpContext context, AdminConfigService service, IGatewayConfigStore configStore, TimeProvider timeProvider)
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
                if (OpenAiChatProtocol.Instance.Parse(bytes, out var parseError) is null)
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
                    ["before"] = Explain(context.RequestServices, before, request, keyId, bytes),
                    ["after"] = Explain(context.RequestServices, after, request, keyId, bytes),
                });
                index++;
            }
        }

        var response = AdminResourceEndpoints.DryRunBody(write, null, null);
        response["explanations"] = explanations;
        return TypedResults.Ok(response);
    }

    private static JsonNode? Explain(IServiceProvider services, GatewaySnapshot snapshot, JsonObject sample, string keyId, byte[] body)
    {
        var headers = new HeaderDictionary();
        if (sample["headers"] is JsonObject sampleHeaders)
        {
            foreach (var (name, value) in sampleHeaders)
            {
                headers[name] = value?.ToString();
            }
        }

        // The key as this snapshot knows it (its team, allow-list and defaults); an unknown id explains as keyless.
        var caller = new Pipeline.Caller(keyId, snapshot.Config.Keys.GetValueOrDefault(keyId));
        using var request = GatewayRequestReader.FromSample(snapshot, caller, OpenAiChatProtocol.Instance, body, headers, out var refused);
        var plan = request is null ? RoutePlan.Refuse(refused!) : RouteExplainEndpoint.Plan(services, request);
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            RouteExplainEndpoint.Write(writer, plan, request?.Stream == true);
        }

        return JsonNode.Parse(buffer.WrittenSpan);
    }
}
