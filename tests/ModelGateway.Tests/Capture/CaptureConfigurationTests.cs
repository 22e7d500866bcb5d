using System.Text.Json.Nodes;
using ModelGateway.Configuration;
using ModelGateway.Routing;
using ModelGateway.Sensitivity;
using ModelGateway.Tests.Infrastructure;

namespace ModelGateway.Tests.Capture;

/// <summary>The capture settings and the providers' training-use flag in the configuration: defaults, validation, strictness.</summary>
public sealed class CaptureConfigurationTests
{
    private static GatewayOptions Options() => new()
    {
        Providers =
        {
            ["local"] = new ProviderOptions { Kind = "openai", BaseUrl = "http://127.0.0.1:8000/v1", Trust = "self-hosted" },
            ["partner"] = new ProviderOptions { Kind = "openai", BaseUrl = "https://partner.example/v1", Trust = "contracted" },
            ["cloud"] = new ProviderOptions { Kind = "openai", BaseUrl = "https://api.example.com/v1", Trust = "public" },
        },
        Deployments =
        {
            ["qwen"] = new DeploymentOptions { Provider = "local", Models = { "qwen3" }, Price = new PriceOptions { InputPerMillion = 0, OutputPerMillion = 0 } },
        },
        Keys = { ["k"] = new ClientKeyOptions { Sha256 = new string('a', 64) } },
    };

    [Fact]
    public void Training_use_defaults_to_allowed_only_for_self_hosted_providers_and_can_be_set_either_way()
    {
        var options = Options();
        var config = GatewayConfigBuilder.Build(options, _ => null);
        Assert.Equal(TrainingUse.Allowed, config.Providers["local"].TrainingUse);
        Assert.Equal(TrainingUse.Forbidden, config.Providers["partner"].TrainingUse);
        Assert.Equal(TrainingUse.Forbidden, config.Providers["cloud"].TrainingUse);

        options.Providers["partner"].TrainingUse = "allowed";
        options.Providers["local"].TrainingUse = "forbidden";
        config = GatewayConfigBuilder.Build(options, _ => null);
        Assert.Equal(TrainingUse.Allowed, config.Providers["partner"].TrainingUse);
        Assert.Equal(TrainingUse.Forbidden, config.Providers["local"].TrainingUse);

        // The settings' defaults: public only, redacted, 30 days; off until something opts in.
        Assert.False(config.Capture.AnyOptIn);
        Assert.Equal(SensitivityLevel.Public, config.Capture.MaxLevel);
        Assert.True(config.Capture.Redact);
        Assert.Equal(30, config.Capture.RetentionDays);
    }

    [Theory]
    [InlineData("key")]
    [InlineData("team")]
    [InlineData("route")]
    public void A_rule_key_or_team_opting_in_turns_capture_on(string where)
    {
        var options = Options();
        switch (where)
        {
            case "key":
                options.Keys["k"].Capture = true;
                break;
            case "team":
                options.Teams["t"] = new ModelGateway.Quotas.TeamOptions { Capture = true };
                break;
            default:
                options.Routes["r"] = new RouteOptions { Capture = true };
                break;
        }

        var config = GatewayConfigBuilder.Build(options, _ => null);
        Assert.True(config.Capture.AnyOptIn);
        Assert.Equal(where == "route", config.Routing.Rules.Any(r => r.Capture == true));
    }

    [Fact]
    public void Bad_values_are_listed_together()
    {
        var options = Options();
        options.Providers["cloud"].TrainingUse = "sometimes";
        options.Capture.MaxSensitivity = "secret";
        options.Capture.RetentionDays = -1;
        options.Capture.MaxResponseBytes = 10;

        var ex = Assert.Throws<GatewayConfigException>(() => GatewayConfigBuilder.Build(options, _ => null));
        Assert.Contains("Providers:cloud:TrainingUse 'sometimes' is not one of: allowed, forbidden.", ex.Errors);
        Assert.Contains("Capture:MaxSensitivity 'secret' is not a level (public, internal, confidential, restricted).", ex.Errors);
        Assert.Contains(ex.Errors, e => e.StartsWith("Capture:RetentionDays", StringComparison.Ordinal));
        Assert.Contains(ex.Errors, e => e.StartsWith("Capture:MaxResponseBytes", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Strict_configuration_knows_the_new_fields_and_refuses_misspellings()
    {
        var config = TestConfig.Gateway().WithProvider("local", "http://127.0.0.1:9/v1").WithDeployment("a", "local", ["model-a"]);
        config["Providers"]!["local"]!["TrainingUse"] = "allowed";
        config["Keys"]![TestConfig.ClientKeyId]!["Captur"] = true;
        config["Capture"] = new JsonObject { ["MaxSensitivty"] = "internal", ["RetentionDays"] = "thirty", ["Redact"] = true };

        var ex = await Assert.ThrowsAsync<GatewayConfigException>(() => GatewayHost.StartAsync(config));

        Assert.Contains(ex.Errors, e => e.StartsWith($"ModelGateway:Keys:{TestConfig.ClientKeyId}:Captur: unknown field (did you mean 'Capture'?)", StringComparison.Ordinal));
        Assert.Contains(ex.Errors, e => e.StartsWith("ModelGateway:Capture:MaxSensitivty: unknown field (did you mean 'MaxSensitivity'?)", StringComparison.Ordinal));
        Assert.Contains("ModelGateway:Capture:RetentionDays: 'thirty' is not an integer.", ex.Errors);
        Assert.DoesNotContain(ex.Errors, e => e.Contains(":TrainingUse:", StringComparison.Ordinal) || e.Contains(":Redact:", StringComparison.Ordinal));
        Assert.Equal(3, ex.Errors.Count);
    }
}
