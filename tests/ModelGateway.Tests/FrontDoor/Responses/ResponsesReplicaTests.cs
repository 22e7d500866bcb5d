#pragma warning disable OPENAI001 // The Responses client is marked experimental in the SDK.
using System.ClientModel;
using ModelGateway.Tests.Infrastructure;
using ModelGateway.Tests.Quotas;
using OpenAI.Responses;

namespace ModelGateway.Tests.FrontDoor.Responses;

/// <summary>Two gateway replicas sharing Redis: a response stored by one is continued, read and deleted on the other at once.</summary>
public sealed class ResponsesReplicaTests
{
    [Fact]
    public async Task A_continuation_works_on_another_replica_sharing_redis_at_once()
    {
        var redis = await RedisServer.SharedAddressAsync();
        var prefix = RedisServer.NewPrefix();
        await using var simulator = await SimulatorHost.StartAsync(o => o.Name = "sim");
        await using var first = await GatewayHost.StartAsync(QuotaTestConfig.Gateway(simulator).WithQuotas(redis, prefix));
        await using var second = await GatewayHost.StartAsync(QuotaTestConfig.Gateway(simulator).WithQuotas(redis, prefix));
        var one = first.OpenAiClient().GetResponsesClient();
        var two = second.OpenAiClient().GetResponsesClient();

        ResponseResult created = await one.CreateResponseAsync(QuotaTestConfig.Model, "my name is Ada");
        ResponseResult continued = await two.CreateResponseAsync(QuotaTestConfig.Model, "what is my name?", created.Id);

        Assert.Equal(ResponseStatus.Completed, continued.Status);
        var sent = simulator.State.Received[^1].Body;
        Assert.Contains("my name is Ada", sent, StringComparison.Ordinal);
        Assert.Contains(created.GetOutputText(), sent, StringComparison.Ordinal);
        ResponseResult read = await two.GetResponseAsync(created.Id);
        Assert.Equal(created.GetOutputText(), read.GetOutputText());

        await two.DeleteResponseAsync(continued.Id);
        var gone = await Assert.ThrowsAsync<ClientResultException>(() => one.GetResponseAsync(continued.Id));
        Assert.Equal(404, gone.Status);
    }
}
