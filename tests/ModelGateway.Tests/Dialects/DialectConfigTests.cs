using ModelGateway.Configuration;

namespace ModelGateway.Tests.Dialects;

public sealed class DialectConfigTests
{
    [Theory]
    [InlineData("https://api.deepseek.com/v1", ProviderDialect.DeepSeek)]
    [InlineData("https://dashscope-intl.aliyuncs.com/compatible-mode/v1", ProviderDialect.DashScope)]
    [InlineData("https://api.moonshot.ai/v1", ProviderDialect.Moonshot)]
    [InlineData("https://api.z.ai/api/paas/v4", ProviderDialect.Zhipu)]
    [InlineData("https://api.together.xyz/v1", ProviderDialect.Together)]
    [InlineData("https://api.fireworks.ai/inference/v1", ProviderDialect.Fireworks)]
    [InlineData("https://api.groq.com/openai/v1", ProviderDialect.Groq)]
    [InlineData("http://gpu-1:8000/v1", ProviderDialect.OpenAi)]
    [InlineData("https://notapi.deepseek.com.evil.example/v1", ProviderDialect.OpenAi)]
    public void A_provider_without_a_dialect_gets_its_known_hosts_own(string baseUrl, ProviderDialect expected)
    {
        var config = Build(new ProviderOptions { Kind = "openai", BaseUrl = baseUrl, Trust = "public" }, out var errors);
        Assert.Empty(errors);
        Assert.Equal(expected, config!.Providers["p"].Dialect);
    }

    [Fact]
    public void A_named_dialect_wins_over_the_host()
    {
        var config = Build(new ProviderOptions { Kind = "openai", BaseUrl = "http://gpu-1:8000/v1", Trust = "self-hosted", Dialect = "sglang" }, out var errors);
        Assert.Empty(errors);
        Assert.Equal(ProviderDialect.Sglang, config!.Providers["p"].Dialect);
    }

    [Theory]
    [InlineData("openai", "deepseak", "Dialect 'deepseak' is not one of: dashscope, deepseek, fireworks, groq, llamacpp, moonshot, ollama, openai, sglang, together, vllm, zhipu.")]
    [InlineData("anthropic", "deepseek", "Dialect is only used by openai providers")]
    [InlineData("openai", "DeepSeek", "Dialect 'DeepSeek' is not one of")]
    public void A_wrong_dialect_is_an_error(string kind, string dialect, string message)
    {
        Build(new ProviderOptions { Kind = kind, BaseUrl = "https://api.example.com/v1", Trust = "public", Dialect = dialect }, out var errors);
        Assert.Contains(errors, e => e.Contains(message, StringComparison.Ordinal));
    }

    private static GatewayConfig? Build(ProviderOptions provider, out List<string> errors)
    {
        errors = [];
        var options = new GatewayOptions
        {
            Providers = { ["p"] = provider },
            Deployments = { ["d"] = new DeploymentOptions { Provider = "p", Models = { "m" }, Price = new PriceOptions { InputPerMillion = 1m, OutputPerMillion = 1m } } },
        };
        return GatewayConfigBuilder.TryBuild(options, _ => null, errors);
    }
}
