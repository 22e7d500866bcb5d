using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using ModelGateway.Accounting;
using ModelGateway.Simulator;
using ModelGateway.Tests.Infrastructure;
using OpenAI.Chat;

namespace ModelGateway.Tests.FrontDoor;

/// <summary>When the preferred deployment fails before answering, the next deployment of the same model serves.</summary>
public sealed class FallbackTests : GatewayWithSimulator
{
    protected override void ConfigureGateway(JsonObject config)
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var deadPort = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();

        config.WithProvider("dead", $"http://127.0.0.1:{deadPort}/v1")
            .WithDeployment("qwen-dead", "dead", ["qwen3"], priority: -1);
    }

    [Fact]
    public async Task Unreachable_first_deployment_falls_back_to_the_next()
    {
        var result = await Gateway.OpenAiClient().GetChatClient("qwen3").CompleteChatAsync([new UserChatMessage("hi")]);

        Assert.StartsWith("sim ", result.Value.Content[0].Text, StringComparison.Ordinal);
        Assert.True(result.GetRawResponse().Headers.TryGetValue("x-gateway-deployment", out var deployment));
        Assert.Equal("qwen-sim", deployment);
        Assert.Equal("qwen-sim", Assert.Single(await Gateway.Service<IUsageLedger>().WaitForRecordsAsync(1)).DeploymentId);
    }

    [Fact]
    public async Task A_streaming_request_whose_first_provider_fails_before_the_first_byte_is_served_by_the_next()
    {
        Upstream.EnqueueFault(new FaultSpec { Kind = FaultKind.Status, Status = 503 });
        var chat = Gateway.OpenAiClient().GetChatClient("qwen3");
        var text = new System.Text.StringBuilder();

        // First attempt: the dead provider; second: the simulator, which answers 503; nothing is left, so 502.
        var ex = await Assert.ThrowsAsync<System.ClientModel.ClientResultException>(async () =>
        {
            await foreach (var update in chat.CompleteChatStreamingAsync([new UserChatMessage("hi")]))
            {
                _ = update;
            }
        });
        Assert.Equal(502, ex.Status);

        // Without the fault, the dead provider is skipped and the simulator streams the answer.
        await foreach (var update in chat.CompleteChatStreamingAsync([new UserChatMessage("hi")]))
        {
            foreach (var part in update.ContentUpdate)
            {
                text.Append(part.Text);
            }
        }

        Assert.StartsWith("sim ", text.ToString(), StringComparison.Ordinal);
    }
}
