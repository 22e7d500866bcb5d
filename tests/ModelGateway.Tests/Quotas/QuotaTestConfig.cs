using System.Text.Json.Nodes;
using ModelGateway.FrontDoor;
using ModelGateway.Tests.Infrastructure;

namespace ModelGateway.Tests.Quotas;

/// <summary>Gateway configuration for quota tests: a simulator deployment, teams, keys and the quota section.</summary>
internal static class QuotaTestConfig
{
    public const string Model = "qwen3";

    /// <summary>A gateway in front of <paramref name="simulator"/>; $1000 per million tokens both ways, so one token costs $0.001.</summary>
    public static JsonObject Gateway(SimulatorHost simulator, decimal pricePerMillion = 1000m) =>
        TestConfig.Gateway()
            .WithProvider("sim", simulator.BaseUrl + "/v1", responseTimeout: "00:00:05")
            .WithDeployment("qwen-sim", "sim", [Model], input: pricePerMillion, output: pricePerMillion);

    public static JsonObject WithQuotas(this JsonObject gateway, string? redis, string? prefix = null, string? window = null,
        string failureMode = "fail-open", string redisTimeout = "00:00:00.500", string estimator = "tokenizer")
    {
        var quotas = new JsonObject { ["FailureMode"] = failureMode, ["RedisTimeout"] = redisTimeout, ["PromptEstimator"] = estimator };
        if (redis is not null)
        {
            quotas["Redis"] = redis;
        }

        if (prefix is not null)
        {
            quotas["KeyPrefix"] = prefix;
        }

        if (window is not null)
        {
            quotas["Window"] = window;
        }

        gateway["Quotas"] = quotas;
        return gateway;
    }

    public static JsonObject WithTeam(this JsonObject gateway, string id, JsonObject limits, JsonObject? models = null)
    {
        var teams = gateway["Teams"] as JsonObject ?? [];
        gateway["Teams"] = teams;
        teams[id] = new JsonObject { ["Limits"] = limits, ["Models"] = models ?? [] };
        return gateway;
    }

    /// <summary>Sets quota fields on the test key (<see cref="TestConfig.ClientKeyId"/>).</summary>
    public static JsonObject WithTestKey(this JsonObject gateway, string? team = null, JsonObject? limits = null)
    {
        var key = (JsonObject)gateway["Keys"]![TestConfig.ClientKeyId]!;
        if (team is not null)
        {
            key["Team"] = team;
        }

        if (limits is not null)
        {
            key["Limits"] = limits;
        }

        return gateway;
    }

    public static JsonObject WithKey(this JsonObject gateway, string id, string secret, JsonObject fields)
    {
        fields["Sha256"] = ClientAuthenticationMiddleware.HashKey(secret);
        gateway["Keys"]![id] = fields;
        return gateway;
    }

    public static StringContent ChatBody(string prompt = "hi", bool stream = false, int maxTokens = 8) =>
        new(
            $$"""{"model":"{{Model}}","stream":{{(stream ? "true" : "false")}},"max_completion_tokens":{{maxTokens}},"messages":[{"role":"user","content":"{{prompt}}"}]}""",
            System.Text.Encoding.UTF8,
            "application/json");
}
