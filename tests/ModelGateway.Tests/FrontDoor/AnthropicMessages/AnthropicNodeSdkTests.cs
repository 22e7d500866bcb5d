using ModelGateway.Tests.Infrastructure;
using ModelGateway.Tests.Simulator;

namespace ModelGateway.Tests.FrontDoor.AnthropicMessages;

/// <summary>The official Anthropic TypeScript SDK (npm <c>@anthropic-ai/sdk</c>) through the gateway: tests/sdk-check/gateway-messages.mjs.</summary>
public sealed class AnthropicNodeSdkTests : MessagesGateway
{
    [Fact]
    public async Task The_npm_anthropic_sdk_passes_its_checks_against_the_gateway()
    {
        var directory = OfficialSdkTests.SdkCheckDirectory();
        await OfficialSdkTests.EnsureInstalledAsync(directory);

        var (exitCode, output) = await OfficialSdkTests.RunAsync("node", "gateway-messages.mjs", directory,
            ("GW_URL", Gateway.BaseUrl), ("GW_KEY", TestConfig.ClientKey), ("TRANSLATED_MODEL", TranslatedModel), ("NATIVE_MODEL", NativeModel));

        Assert.True(exitCode == 0, $"node gateway-messages.mjs failed ({exitCode}):\n{output}");
        Assert.Contains("sdk check passed", output, StringComparison.Ordinal);
        Assert.Contains(Upstream.Received, r => r.Path == "/v1/messages");
        Assert.Contains(Upstream.Received, r => r.Path == "/v1/chat/completions");
    }
}
