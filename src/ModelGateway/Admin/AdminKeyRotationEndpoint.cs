using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using ModelGateway.FrontDoor;

namespace ModelGateway.Admin;

/// <summary>
/// <c>POST /admin/v1/keys/{id}/rotate</c>: a new secret for a client key, returned once; the old secret stops
/// working with the next snapshot. The key keeps its id, team, limits and everything else.
/// </summary>
internal static class AdminKeyRotationEndpoint
{
    public static void MapKeyRotation(this RouteGroupBuilder admin) =>
        admin.MapPost("/keys/{id}/rotate", RotateAsync).WithTags("keys").WithName("rotate-keys");

    /// <summary>A new client key secret: 32 random bytes, base64url, with a recognisable prefix.</summary>
    public static string NewSecret() =>
        "mgk-" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static async Task<Results<Ok<JsonObject>, ProblemHttpResult>> RotateAsync(string id, HttpContext context, AdminConfigService service)
    {
        var secret = NewSecret();
        var result = await service.UpdateAsync(AdminAuthorizationFilter.Actor(context), $"rotate keys/{id}", AdminResourceEndpoints.RequestId(context),
            dryRun: false, document =>
            {
                var entries = AdminResources.Keys.Entries(document);
                if (entries[id] is not JsonObject key)
                {
                    return AdminFailure.NotFound($"keys/{id}");
                }

                if (AdminHttp.CheckIfMatch(context, ConfigDocument.ETag(key)) is { } precondition)
                {
                    return precondition;
                }

                key["sha256"] = ClientAuthenticationMiddleware.HashKey(secret);
                return null;
            }, context.RequestAborted);
        if (result.Write is not { } write)
        {
            return AdminHttp.Problem(result.Failure!, context);
        }

        var entry = AdminResources.Keys.Entries(write.Document)[id]!;
        var representation = AdminResources.Keys.Represent(id, entry);
        representation["etag"] = ConfigDocument.ETag(entry);
        representation["secret"] = secret;
        context.Response.Headers.ETag = ConfigDocument.ETag(entry);
        context.Response.Headers[AdminHttp.VersionHeader] = write.Revision.Version.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return TypedResults.Ok(representation);
    }
}
