using System.Collections.Immutable;
using ModelGateway.Configuration;
using ModelGateway.FrontDoor;
using ModelGateway.Providers;
using ModelGateway.Telemetry;
using ModelGateway.Requests;

namespace ModelGateway.Tests.Telemetry;

/// <summary>Label values stay within what the configuration and a fixed vocabulary allow.</summary>
public sealed class TelemetryLabelTests
{
    private static readonly GatewaySnapshot Snapshot = new(
        new GatewayConfig
        {
            Providers = ImmutableDictionary<string, ProviderConfig>.Empty.Add("p", new ProviderConfig
            {
                Id = "p",
                Kind = ProviderKind.OpenAi,
                BaseUrl = new Uri("http://127.0.0.1:1/v1"),
                Credential = ProviderCredential.None,
                Trust = TrustTier.SelfHosted,
                ConnectTimeout = TimeSpan.FromSeconds(1),
                ResponseTimeout = TimeSpan.FromSeconds(1),
            }),
            Deployments = ImmutableDictionary<string, DeploymentConfig>.Empty.Add("d", new DeploymentConfig
            {
                Id = "d",
                ProviderId = "p",
                Models = ["qwen3"],
                UpstreamModel = "Qwen/Qwen3-32B",
                Price = new ModelPrice(1m, 1m, 1m),
                Capabilities = ModelCapabilities.Chat,
            }),
            Aliases = ImmutableDictionary<string, string>.Empty.Add("fast", "qwen3"),
            Keys = ImmutableDictionary<string, ClientKey>.Empty,
        },
        version: 1,
        DateTimeOffset.UnixEpoch);

    [Theory]
    [InlineData("qwen3", "qwen3")]
    [InlineData("fast", "fast")]
    [InlineData("gpt-4o-some-user-typed-thing", "other")]
    [InlineData("QWEN3", "other")]
    [InlineData("", "other")]
    [InlineData(null, "none")]
    public void Model_label_is_a_configured_model_or_alias_otherwise_other(string? model, string expected) =>
        Assert.Equal(expected, TelemetryLabels.Model(model, Snapshot));

    [Fact]
    public void Unbounded_client_input_collapses_to_one_label_value()
    {
        var values = Enumerable.Range(0, 1000).Select(i => TelemetryLabels.Model($"random-model-{i}", Snapshot)).Distinct();

        Assert.Equal(["other"], values);
    }

    [Theory]
    [InlineData(null, "none")]
    [InlineData("", "none")]
    [InlineData("team-a", "team-a")]
    public void Team_label_defaults_to_none(string? team, string expected) => Assert.Equal(expected, TelemetryLabels.Team(team));

    [Theory]
    [InlineData(ProviderKind.OpenAi, "openai")]
    [InlineData(ProviderKind.Anthropic, "anthropic")]
    [InlineData(ProviderKind.Gemini, "gcp.gemini")]
    [InlineData(ProviderKind.AzureOpenAi, "azure.ai.openai")]
    public void Provider_kinds_map_to_semantic_convention_names(ProviderKind kind, string expected) =>
        Assert.Equal(expected, TelemetryLabels.GenAiProvider(kind));

    [Fact]
    public void Every_outcome_and_trust_tier_has_a_distinct_snake_case_label()
    {
        var outcomes = Enum.GetValues<RequestOutcome>().Select(TelemetryLabels.Outcome).ToList();
        var tiers = Enum.GetValues<TrustTier>().Select(TelemetryLabels.Trust).ToList();

        Assert.Equal(outcomes.Count, outcomes.Distinct().Count());
        Assert.All(outcomes, o => Assert.Matches("^[a-z_]+$", o));
        Assert.Equal(["self-hosted", "contracted", "public"], tiers);
        Assert.Equal("embeddings", TelemetryLabels.GenAiOperation(Operation.Embeddings));
        Assert.Equal("chat", TelemetryLabels.GenAiOperation(Operation.ChatCompletions));
    }

    [Theory]
    [InlineData(403, RequestOutcome.RejectedPolicy)]
    [InlineData(503, RequestOutcome.RejectedPolicy)]
    [InlineData(404, RequestOutcome.ClientError)]
    [InlineData(400, RequestOutcome.ClientError)]
    public void Routing_refusals_are_policy_only_for_403_and_503(int status, RequestOutcome expected) =>
        Assert.Equal(expected, RequestOutcomes.OfRefusal(new GatewayError(status, "t", "c", "m")));

    [Theory]
    [InlineData(401, null, RequestOutcome.ClientError)]
    [InlineData(413, null, RequestOutcome.ClientError)]
    [InlineData(500, "internal_error", RequestOutcome.GatewayError)]
    [InlineData(200, "client_disconnected", RequestOutcome.ClientCancelled)]
    public void Requests_that_never_reached_the_dispatcher_are_classified_by_status(int status, string? failure, RequestOutcome expected) =>
        Assert.Equal(expected, RequestOutcomes.OfUnclassified(status, failure));
}
