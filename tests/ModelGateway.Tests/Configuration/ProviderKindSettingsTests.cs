using ModelGateway.Configuration;

namespace ModelGateway.Tests.Configuration;

/// <summary>The provider fields only some kinds use: defaults, and the errors an operator sees.</summary>
public sealed class ProviderKindSettingsTests
{
    private static GatewayOptions With(ProviderOptions provider) => new()
    {
        Providers = { ["p"] = provider },
        Deployments =
        {
            ["d"] = new DeploymentOptions { Provider = "p", Models = { "m" }, Price = new PriceOptions { InputPerMillion = 1, OutputPerMillion = 1 } },
        },
    };

    [Fact]
    public void Anthropic_and_azure_get_their_default_versions_and_azure_its_surface()
    {
        var anthropic = GatewayConfigBuilder.Build(With(new ProviderOptions { Kind = "anthropic", BaseUrl = "https://api.anthropic.com/v1", Trust = "public" }), _ => null);
        var azure = GatewayConfigBuilder.Build(With(new ProviderOptions
        {
            Kind = "azure-openai", BaseUrl = "https://r.openai.azure.com", Trust = "contracted", ApiSurface = "v1",
        }), _ => null);

        Assert.Equal("2023-06-01", anthropic.Providers["p"].ApiVersion);
        Assert.Equal("2024-10-21", azure.Providers["p"].ApiVersion);
        Assert.Equal(AzureApiSurface.V1, azure.Providers["p"].ApiSurface);
    }

    [Fact]
    public void Bad_surface_and_version_are_reported_with_their_paths()
    {
        var errors = new List<string>();

        GatewayConfigBuilder.TryBuild(With(new ProviderOptions
        {
            Kind = "anthropic", BaseUrl = "https://api.anthropic.com/v1", Trust = "public", ApiSurface = "v1", ApiVersion = "2023/06/01 ",
        }), _ => null, errors);

        Assert.Contains("Providers:p:ApiSurface is only used by azure-openai providers.", errors);
        Assert.Contains(errors, e => e.StartsWith("Providers:p:ApiVersion '2023/06/01 '", StringComparison.Ordinal));
    }
}
