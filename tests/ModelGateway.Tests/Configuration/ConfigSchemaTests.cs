using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;
using ModelGateway.Admin;
using ModelGateway.Configuration;
using ModelGateway.Quotas;
using ModelGateway.Routing;
using ModelGateway.Sensitivity;

namespace ModelGateway.Tests.Configuration;

/// <summary>The strict check accepts every field the options types have, in their written forms, and nothing else.</summary>
public sealed class ConfigSchemaTests
{
    [Fact]
    public void A_document_using_every_kind_of_field_passes_both_as_a_file_and_as_an_admin_document()
    {
        var document = ConfigDocument.FromOptions(FullOptions());

        var jsonErrors = new List<string>();
        ConfigSchema.Validate(document, typeof(GatewayOptions), "", jsonErrors);
        Assert.Empty(jsonErrors);

        var file = new JsonObject { ["ModelGateway"] = document.DeepClone() };
        file["ModelGateway"]!["Telemetry"] = new JsonObject { ["Prometheus"] = new JsonObject { ["Enabled"] = true, ["Port"] = 9464 } };
        file["Admin"] = new JsonObject { ["Keys"] = new JsonObject { ["ops"] = new JsonObject { ["Sha256"] = new string('a', 64), ["ReadOnly"] = true } }, ["PollInterval"] = "00:00:05" };
        file["Serilog"] = new JsonObject { ["Anything"] = "is left to Serilog" };
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(file.ToJsonString()));
        var configuration = new ConfigurationBuilder().AddJsonStream(stream).Build();

        Assert.Empty(StrictConfiguration.Check(configuration, configFile: null));
    }

    [Fact]
    public void Lists_dictionaries_booleans_dates_and_nested_objects_are_checked()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ModelGateway:Keys:k:Disabled"] = "maybe",
            ["ModelGateway:Keys:k:ExpiresAt"] = "next tuesday",
            ["ModelGateway:Keys:k:AllowedModels:first"] = "qwen3",
            ["ModelGateway:Teams:t:Limits:UsdPerDay"] = "ten dollars",
            ["ModelGateway:Routes:r:Weights:Cost"] = "1,5",
            ["ModelGateway:Routes:r:Match:Needs:0:x"] = "tools",
            ["ModelGateway:Sensitivity:Levels:restricted:Trusts:0"] = "self-hosted",
            ["ModelGateway:Telemetry:Prometheus:Enabeld"] = "true",
            ["ModelGateway:Limits:MaxRequestBodyBytes"] = "99999999999999999999",
            ["ModelGateway:Providers:p:Headers"] = "Authorization: Bearer sk-secret",
            ["Admin:Port"] = "80a",
        }).Build();

        var errors = StrictConfiguration.Check(configuration, configFile: null);

        Assert.Contains("ModelGateway:Keys:k:Disabled: 'maybe' is not true or false.", errors);
        Assert.Contains(errors, e => e.StartsWith("ModelGateway:Keys:k:ExpiresAt: 'next tuesday' is not a date", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("ModelGateway:Keys:k:AllowedModels:first: a list is expected", StringComparison.Ordinal));
        Assert.Contains("ModelGateway:Teams:t:Limits:UsdPerDay: 'ten dollars' is not a number.", errors);
        Assert.Contains("ModelGateway:Routes:r:Weights:Cost: '1,5' is not a number.", errors);
        Assert.Contains(errors, e => e.StartsWith("ModelGateway:Routes:r:Match:Needs:0: a single value is expected", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("ModelGateway:Sensitivity:Levels:restricted:Trusts: unknown field (did you mean 'Trust'?)", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("ModelGateway:Telemetry:Prometheus:Enabeld: unknown field (did you mean 'Enabled'?)", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("ModelGateway:Limits:MaxRequestBodyBytes: '99999999999999999999' is out of range", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("ModelGateway:Providers:p:Headers: a single value is given", StringComparison.Ordinal));
        Assert.Contains("Admin:Port: '80a' is not an integer.", errors);
        Assert.Equal(11, errors.Count);
        Assert.DoesNotContain(errors, e => e.Contains("sk-secret", StringComparison.Ordinal));
    }

    [Fact]
    public void Admin_ids_with_colons_stay_whole_in_documents_and_messages()
    {
        var document = new JsonObject
        {
            ["deployments"] = new JsonObject
            {
                ["eu:qwen"] = new JsonObject { ["provider"] = "p", ["models"] = new JsonArray("m") },
                ["us:qwen"] = new JsonObject { ["contextWindow"] = "32k" },
            },
        };

        var errors = new List<string>();
        ConfigSchema.Validate(document, typeof(GatewayOptions), "", errors);

        Assert.Equal(["deployments:us:qwen:contextWindow: '32k' is not an integer."], errors);
    }

    private static GatewayOptions FullOptions() => new()
    {
        Providers = { ["p"] = new ProviderOptions { Kind = "openai", BaseUrl = "http://127.0.0.1:9/v1", Trust = "public", Region = "eu", ConnectTimeout = TimeSpan.FromSeconds(5), ResponseTimeout = TimeSpan.FromMinutes(1), Headers = { ["x-a"] = "b" } } },
        Deployments = { ["d"] = new DeploymentOptions { Provider = "p", Models = { "m" }, ContextWindow = 8192, Priority = -1, Capabilities = { "chat" }, Price = new PriceOptions { InputPerMillion = 0.1m, CachedInputPerMillion = 0.05m, CacheWriteInputPerMillion = 0.125m, OutputPerMillion = 0.3m } } },
        Aliases = { ["fast"] = "m" },
        Keys = { ["k"] = new ClientKeyOptions { Sha256 = new string('b', 64), Disabled = true, Team = "t", ExpiresAt = DateTimeOffset.Parse("2027-01-31T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture), AllowedModels = { "m" }, Limits = new QuotaLimitsOptions { RequestsPerMinute = 5, TokensPerMinute = 1000, ConcurrentRequests = 2, UsdPerDay = 1.5m, UsdPerMonth = 20m } } },
        Teams = { ["t"] = new TeamOptions { Models = { ["m"] = new QuotaLimitsOptions { UsdPerDay = 1m } }, KeyDefaults = new QuotaLimitsOptions { RequestsPerMinute = 1 } } },
        Routes = { ["r"] = new RouteOptions { Order = 3, Strategy = "weighted", Spread = false, Deployments = { "d" }, Weights = new RouteWeightsOptions { Cost = 0.5, Latency = 2 }, Match = new RouteMatchOptions { Models = { "m" }, Metadata = { ["tier"] = "gold" }, MinPromptTokens = 1, MaxPromptTokens = 100 }, Constraints = new RouteConstraintsOptions { MinTrust = "public", Regions = { "eu" }, MaxPricePerMillion = 2m } } },
        Sensitivity = new SensitivityOptions { PatternTimeout = TimeSpan.FromMilliseconds(20), Levels = { ["restricted"] = new SensitivityLevelOptions { Trust = ["self-hosted"], Regions = ["eu"] } }, Detectors = { ["card"] = "off" }, Patterns = { ["x"] = new SensitivityPatternOptions { Regex = "x+", Level = "internal" } }, KeyDefaults = { ["k"] = "internal" } },
        Fallback = new FallbackOptions { MaxAttempts = 2, Breaker = new BreakerOptions { FailureRatio = 0.25 } },
        Quotas = new QuotaOptions { RedisTimeout = TimeSpan.FromMilliseconds(100) },
        RequestLogging = new LoggingOptions { IncludeContent = true },
    };
}
