using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;
using ModelGateway.Pipeline;
using ModelGateway.Requests;

namespace ModelGateway.FrontDoor.Protocols.Responses;

/// <summary>
/// Stored responses: <c>GET /v1/responses/{id}</c>, <c>DELETE /v1/responses/{id}</c> and
/// <c>GET /v1/responses/{id}/input_items</c>; and the token count, <c>POST /v1/responses/input_tokens</c>. Only the key that created a response (or, with
/// <c>Limits:StoredResponseOwner</c> <c>team</c>, a key of its team) sees it; to any other key it is a 404, as if it did not exist.
/// </summary>
internal static class ResponsesEndpoints
{
    public static void MapResponses(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/v1/responses/{id}", GetAsync);
        endpoints.MapDelete("/v1/responses/{id}", DeleteAsync);
        endpoints.MapGet("/v1/responses/{id}/input_items", InputItemsAsync);
        endpoints.MapPost(InputTokensEndpoint.Path, InputTokensEndpoint.ServeAsync);
    }

    private static async Task GetAsync(HttpContext context, string id)
    {
        if (await FindAsync(context, id) is not { } stored)
        {
            return;
        }

        context.Response.ContentType = "application/json";
        await context.Response.Body.WriteAsync(stored.Response, context.RequestAborted);
    }

    private static async Task DeleteAsync(HttpContext context, string id)
    {
        if (await FindAsync(context, id) is null)
        {
            return;
        }

        await context.RequestServices.GetRequiredService<IResponseStore>().DeleteAsync(id, context.RequestAborted);
        context.Response.ContentType = "application/json";
        await using var json = new Utf8JsonWriter(context.Response.Body);
        json.WriteStartObject();
        json.WriteString("id"u8, id);
        json.WriteString("object"u8, "response"u8);
        json.WriteBoolean("deleted"u8, true);
        json.WriteEndObject();
    }

    /// <summary>The input items the response's own request sent, newest first unless <c>order=asc</c>, paged with <c>limit</c> and <c>after</c>.</summary>
    private static async Task InputItemsAsync(HttpContext context, string id)
    {
        if (await FindAsync(context, id) is not { } stored)
        {
            return;
        }

        var query = context.Request.Query;
        var ascending = query["order"] == "asc";
        var limit = int.TryParse(query["limit"], out var asked) ? Math.Clamp(asked, 1, 100) : 20;
        var items = new List<(string Id, byte[] Json)>(stored.OwnInput.Count);
        for (var i = 0; i < stored.OwnInput.Count; i++)
        {
            items.Add((ItemId(stored.Id, stored.OwnInput[i], i), stored.OwnInput[i]));
        }

        if (!ascending)
        {
            items.Reverse();
        }

        var start = query["after"].ToString() is { Length: > 0 } after ? items.FindIndex(item => item.Id == after) + 1 : 0;
        var page = items.Skip(start).Take(limit).ToList();
        context.Response.ContentType = "application/json";
        await using var json = new Utf8JsonWriter(context.Response.Body);
        json.WriteStartObject();
        json.WriteString("object"u8, "list"u8);
        json.WriteStartArray("data"u8);
        foreach (var (itemId, item) in page)
        {
            WriteWithId(json, item, itemId);
        }

        json.WriteEndArray();
        json.WriteString("first_id"u8, page.Count > 0 ? page[0].Id : null);
        json.WriteString("last_id"u8, page.Count > 0 ? page[^1].Id : null);
        json.WriteBoolean("has_more"u8, start + page.Count < items.Count);
        json.WriteEndObject();
    }

    private static async ValueTask<StoredResponse?> FindAsync(HttpContext context, string id)
    {
        var record = context.Features.GetRequiredFeature<GatewayRequestFeature>();
        var stored = await context.RequestServices.GetRequiredService<IResponseStore>().GetAsync(id, context.RequestAborted);
        if (stored is null || !stored.IsVisibleTo(record.Caller!, record.Snapshot!.Config.StoredResponseOwner))
        {
            await new GatewayError(StatusCodes.Status404NotFound, "invalid_request_error", "not_found", $"No response found with id '{id}'.", "id")
                .WriteAsync(context);
            return null;
        }

        return stored;
    }

    /// <summary>An item's own id, or a stable one made from the response id and its place (items sent without ids).</summary>
    private static string ItemId(string responseId, byte[] item, int index)
    {
        var reader = new Utf8JsonReader(item);
        reader.Read();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isId = reader.ValueTextEquals("id"u8);
            reader.Read();
            if (isId && reader.TokenType == JsonTokenType.String)
            {
                return reader.GetString()!;
            }

            reader.Skip();
        }

        return $"item_{responseId.AsSpan(5)}_{index}";
    }

    private static void WriteWithId(Utf8JsonWriter json, byte[] item, string id)
    {
        using var document = JsonDocument.Parse(item);
        json.WriteStartObject();
        json.WriteString("id"u8, id);
        foreach (var property in document.RootElement.EnumerateObject())
        {
            if (!property.NameEquals("id"u8))
            {
                property.WriteTo(json);
            }
        }

        json.WriteEndObject();
    }
}
