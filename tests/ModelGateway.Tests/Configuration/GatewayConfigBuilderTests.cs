using ModelGateway.Accounting;
using ModelGateway.Configuration;
using ModelGateway.Requests;

namespace ModelGateway.Tests.Configuration;

public sealed class GatewayConfigBuilderTests
{
    private static readonly Func<string, string?> Environment = name => name == "SIM_KEY" ? "secret-value" : null;

    private static GatewayOptions ValidOptions() => new()
    {
        Providers =
        {
            ["local"] = new ProviderOptions { Kind = "openai", BaseUrl = "http://127.0.0.1:8000/v1/", Trust = "self-hosted" },
            ["cloud"] = new ProviderOptions { Kind = "openai", BaseUrl = "https://api.example.com/v1", Trust = "public", Credential = "env:SIM_KEY" },
        },
        Deployments =
        {
            ["qwen-local"] = new DeploymentOptions
            {
                Provider = "local", Models = { "qwen3" }, UpstreamModel = "Qwen/Qwen3-32B",
                Price = new PriceOptions { InputPerMillion = 0.1m, OutputPerMillion = 0.3m }, Capabilities = { "chat", "tools" },
            },
            ["qwen-cloud"] = new DeploymentOptions
            {
                Provider = "cloud", Models = { "qwen3" }, Priority = 1,
                Price = new PriceOptions { InputPerMillion = 1m, CachedInputPerMillion = 0.5m, OutputPerMillion = 4m },
            },
        },
        Aliases = { ["fast"] = "qwen3" },
    };

    [Fact]
    public void Valid_options_build_a_snapshot_with_resolved_credentials_and_ordered_deployments()
    {
        var config = GatewayConfigBuilder.Build(ValidOptions(), Environment);
        var snapshot = new GatewaySnapshot(config, 1, DateTimeOffset.UnixEpoch);

        Assert.Equal("secret-value", config.Providers["cloud"].Credential.Secret);
        Assert.Equal("env:SIM_KEY", config.Providers["cloud"].Credential.ToString());
        Assert.Equal("http://127.0.0.1:8000/v1", config.Providers["local"].BaseUrl.AbsoluteUri.TrimEnd('/'));
        Assert.Equal(["qwen-local", "qwen-cloud"], snapshot.DeploymentsFor("qwen3").Select(d => d.Config.Id));
        Assert.Equal(["qwen-local", "qwen-cloud"], snapshot.DeploymentsFor("fast").Select(d => d.Config.Id));
        Assert.Equal(["fast", "qwen3"], snapshot.ModelIds.ToArray());
        Assert.Equal("qwen3", config.Deployments["qwen-cloud"].UpstreamModel);
        Assert.Equal(ModelCapabilities.Chat, config.Deployments["qwen-cloud"].Capabilities);
        Assert.Equal(1m, config.Deployments["qwen-local"].Price.InputPerMillion * 10);
    }

    [Fact]
    public void Every_problem_is_reported_at_once_without_echoing_secrets()
    {
        var options = ValidOptions();
        options.Providers["bad"] = new ProviderOptions { Kind = "bedrock", BaseUrl = "ftp://x", Trust = "trusted", Credential = "sk-live-abc123" };
        options.Providers["cloud"].Credential = "env:MISSING_VAR";
        options.Deployments["orphan"] = new DeploymentOptions { Provider = "nope", Price = new PriceOptions { InputPerMillion = -1, OutputPerMillion = 1 }, Capabilities = { "telepathy" } };
        options.Aliases["ghost"] = "no-such-model";
        options.Keys["k"] = new ClientKeyOptions { Sha256 = "xyz" };

        var ex = Assert.Throws<GatewayConfigException>(() => GatewayConfigBuilder.Build(options, Environment));

        Assert.Contains(ex.Errors, e => e.StartsWith("Providers:bad:Kind 'bedrock'", StringComparison.Ordinal));
        Assert.Contains(ex.Errors, e => e.StartsWith("Providers:bad:BaseUrl", StringComparison.Ordinal));
        Assert.Contains(ex.Errors, e => e.StartsWith("Providers:bad:Trust 'trusted'", StringComparison.Ordinal));
        Assert.Contains(ex.Errors, e => e.StartsWith("Providers:bad:Credential must be", StringComparison.Ordinal));
        Assert.Contains(ex.Errors, e => e.Contains("'MISSING_VAR', which is not set", StringComparison.Ordinal));
        Assert.Contains(ex.Errors, e => e.StartsWith("Deployments:orphan:Provider 'nope'", StringComparison.Ordinal));
        Assert.Contains(ex.Errors, e => e.StartsWith("Deployments:orphan:Models", StringComparison.Ordinal));
        Assert.Contains(ex.Errors, e => e.StartsWith("Deployments:orphan:Price values must not be negative", StringComparison.Ordinal));
        Assert.Contains(ex.Errors, e => e.StartsWith("Deployments:orphan:Capabilities 'telepathy'", StringComparison.Ordinal));
        Assert.Contains(ex.Errors, e => e.StartsWith("Aliases:ghost", StringComparison.Ordinal));
        Assert.Contains(ex.Errors, e => e.StartsWith("Keys:k:Sha256", StringComparison.Ordinal));
        Assert.DoesNotContain("sk-live-abc123", ex.Message, StringComparison.Ordinal);
        Assert.Equal(11, ex.Errors.Count);
    }

    [Theory]
    [InlineData(1023)]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(268_435_457)]
    public void Max_stream_event_bytes_out_of_range_is_an_error(int bytes)
    {
        var options = ValidOptions();
        options.Limits.MaxStreamEventBytes = bytes;

        var ex = Assert.Throws<GatewayConfigException>(() => GatewayConfigBuilder.Build(options, Environment));

        Assert.Equal("Limits:MaxStreamEventBytes must be between 1024 and 268435456.", Assert.Single(ex.Errors));
    }

    [Fact]
    public void Max_stream_event_bytes_defaults_to_4_mib_and_can_be_set()
    {
        var options = ValidOptions();
        Assert.Equal(4 * 1024 * 1024, GatewayConfigBuilder.Build(options, Environment).MaxStreamEventBytes);

        options.Limits.MaxStreamEventBytes = 65_536;
        Assert.Equal(65_536, GatewayConfigBuilder.Build(options, Environment).MaxStreamEventBytes);
    }

    [Fact]
    public void Stored_response_owner_defaults_to_key_and_can_be_team()
    {
        var options = ValidOptions();
        Assert.Equal(StoredResponseOwner.Key, GatewayConfigBuilder.Build(options, Environment).StoredResponseOwner);

        options.Limits.StoredResponseOwner = "team";
        Assert.Equal(StoredResponseOwner.Team, GatewayConfigBuilder.Build(options, Environment).StoredResponseOwner);
    }

    [Fact]
    public void Stored_response_owner_other_than_key_or_team_is_an_error()
    {
        var options = ValidOptions();
        options.Limits.StoredResponseOwner = "everyone";

        var ex = Assert.Throws<GatewayConfigException>(() => GatewayConfigBuilder.Build(options, Environment));

        Assert.Equal("Limits:StoredResponseOwner 'everyone' is not one of: key, team.", Assert.Single(ex.Errors));
    }

    [Fact]
    public void Cost_uses_cached_and_output_prices()
    {
        var price = new ModelPrice(InputPerMillion: 2m, CachedInputPerMillion: 0.5m, OutputPerMillion: 8m);

        // 600 uncached x $2 + 400 cached x $0.5 + 250 out x $8, per million.
        Assert.Equal(0.0034m, price.CostOf(new TokenUsage(PromptTokens: 1000, CachedPromptTokens: 400, CompletionTokens: 250, ReasoningTokens: 100)));
    }
}
