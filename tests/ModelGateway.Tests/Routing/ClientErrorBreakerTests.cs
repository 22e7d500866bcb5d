using System.Net;
using ModelGateway.Simulator;
using ModelGateway.Tests.Infrastructure;

namespace ModelGateway.Tests.Routing;

/// <summary>
/// An upstream 400/413/422 is the client's fault: it is passed back as it is and never counts against the
/// deployment's breaker, so one client sending bad content cannot make a model unavailable to every key.
/// An upstream 5xx does count, whatever caused it: the gateway cannot tell a crash on odd input from an outage.
/// </summary>
public sealed class ClientErrorBreakerTests
{
    [Theory]
    [InlineData(400)]
    [InlineData(413)]
    [InlineData(422)]
    public async Task Upstream_client_errors_never_open_the_breaker(int status)
    {
        await using var simulator = await SimulatorHost.StartAsync();
        var config = TestConfig.Gateway()
            .WithProvider("sim", simulator.BaseUrl + "/v1")
            .WithDeployment("only", "sim", ["chat"])
            .WithTwoStrikeBreaker();
        await using var gateway = await GatewayHost.StartAsync(config);
        simulator.State.EnqueueFault(new FaultSpec { Kind = FaultKind.Status, Status = status, Count = 5 });

        for (var i = 0; i < 5; i++)
        {
            using var rejected = await gateway.ChatAsync("chat", "bad content");
            Assert.Equal((HttpStatusCode)status, rejected.StatusCode);
        }

        using var next = await gateway.ChatAsync("chat", "good content");
        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
        Assert.Equal(6, simulator.ChatRequests());
    }

    [Fact]
    public async Task Upstream_server_errors_open_the_breaker_even_when_the_request_caused_them()
    {
        await using var simulator = await SimulatorHost.StartAsync();
        var config = TestConfig.Gateway()
            .WithProvider("sim", simulator.BaseUrl + "/v1")
            .WithDeployment("only", "sim", ["chat"])
            .WithTwoStrikeBreaker();
        await using var gateway = await GatewayHost.StartAsync(config);
        simulator.State.EnqueueFault(new FaultSpec { Kind = FaultKind.Status, Status = 500, Count = 2 });

        using var first = await gateway.ChatAsync("chat", "odd content");
        using var second = await gateway.ChatAsync("chat", "odd content");
        using var refused = await gateway.ChatAsync("chat", "good content");

        Assert.Equal(HttpStatusCode.BadGateway, second.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Equal(2, simulator.ChatRequests());
    }
}
