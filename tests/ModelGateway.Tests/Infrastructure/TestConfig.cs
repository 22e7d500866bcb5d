using System.Text.Json.Nodes;
using ModelGateway.FrontDoor;

namespace ModelGateway.Tests.Infrastructure;

/// <summary>Builds gateway configuration sections for tests.</summary>
public static class TestConfig
{
    public const string ClientKey = "mg-test-client-key";
    public const string ClientKeyId = "test-key";

    /// <summary>A gateway section with the test client key and no providers yet.</summary>
    public static JsonObject Gateway() => new()
    {
        ["Providers"] = new JsonObject(),
        ["Deployments"] = new JsonObject(),
        ["Keys"] = new JsonObject
        {
            [ClientKeyId] = new JsonObject { ["Sha256"] = ClientAuthenticationMiddleware.HashKey(ClientKey) },
        },
    };

    public static JsonObject WithProvider(this JsonObject gateway, string id, string baseUrl, string trust = "self-hosted",
        string? credential = null, string? responseTimeout = null)
    {
        var provider = new JsonObject { ["Kind"] = "openai", ["BaseUrl"] = baseUrl, ["Trust"] = trust };
        if (credential is not null)
        {
            provider["Credential"] = credential;
        }

        if (responseTimeout is not null)
        {
            provider["ResponseTimeout"] = responseTimeout;
        }

        gateway["Providers"]![id] = provider;
        return gateway;
    }

    public static JsonObject WithDeployment(this JsonObject gateway, string id, string provider, string[] models, string? upstreamModel = null,
        decimal input = 1m, decimal output = 2m, decimal? cached = null, string[]? capabilities = null, int priority = 0)
    {
        var price = new JsonObject { ["InputPerMillion"] = input, ["OutputPerMillion"] = output };
        if (cached is not null)
        {
            price["CachedInputPerMillion"] = cached;
        }

        var deployment = new JsonObject
        {
            ["Provider"] = provider,
            ["Models"] = new JsonArray([.. models.Select(m => (JsonNode)m)]),
            ["Price"] = price,
            ["Priority"] = priority,
            ["Capabilities"] = new JsonArray([.. (capabilities ?? ["chat", "tools", "vision", "json_schema"]).Select(c => (JsonNode)c)]),
        };
        if (upstreamModel is not null)
        {
            deployment["UpstreamModel"] = upstreamModel;
        }

        gateway["Deployments"]![id] = deployment;
        return gateway;
    }
}
