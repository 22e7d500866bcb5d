using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using ModelGateway.Tests.Infrastructure;

namespace ModelGateway.Tests.Telemetry;

/// <summary>
/// Spans over real sockets: the client's trace continues through the gateway's server span and a client span per
/// upstream attempt, and the provider receives a <c>traceparent</c> naming that attempt's span.
/// </summary>
public sealed class TracingTests : IAsyncLifetime, IDisposable
{
    private const string Prompt = "A confidential prompt about project nightingale.";
    private readonly ConcurrentQueue<Activity> _stopped = new();
    private readonly ActivityListener _listener;
    private SimulatorHost _simulator = null!;
    private GatewayHost _gateway = null!;

    public TracingTests()
    {
        // Observes spans the gateway's own tracer provider samples (and HttpClient's, to follow the traceparent);
        // it does not change sampling itself.
        _listener = new ActivityListener
        {
            ShouldListenTo = source => true,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.None,
            ActivityStopped = _stopped.Enqueue,
        };
        ActivitySource.AddActivityListener(_listener);
    }

    public async Task InitializeAsync()
    {
        _simulator = await SimulatorHost.StartAsync(options => options.Name = "sim");
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var deadPort = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var config = TestConfig.Gateway()
            .WithProvider("sim", _simulator.BaseUrl + "/v1")
            .WithProvider("dead", $"http://127.0.0.1:{deadPort}/v1", trust: "public")
            .WithDeployment("qwen-sim", "sim", ["qwen3"], upstreamModel: "Qwen/Qwen3-32B")
            .WithDeployment("fb-dead", "dead", ["fallback-model"], priority: -1)
            .WithDeployment("fb-sim", "sim", ["fallback-model"]);
        config["Telemetry"] = new JsonObject { ["Tracing"] = new JsonObject { ["Enabled"] = true } };
        _gateway = await GatewayHost.StartAsync(config);
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _simulator.DisposeAsync();
    }

    public void Dispose() => _listener.Dispose();

    [Fact]
    public async Task The_provider_receives_a_traceparent_naming_the_attempt_span_in_the_clients_trace()
    {
        var traceId = ActivityTraceId.CreateRandom();
        var clientSpan = ActivitySpanId.CreateRandom();

        using var response = await SendAsync("qwen3", $"00-{traceId}-{clientSpan}-01");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var upstream = Assert.Single(_simulator.State.Received);
        Assert.True(upstream.Headers.TryGetValue("traceparent", out var traceparent), "The provider received no traceparent.");
        var parts = traceparent.Split('-');
        Assert.Equal(traceId.ToHexString(), parts[1]);

        var attempt = await SpanAsync(a => a.TraceId == traceId && a.Source.Name == "ModelGateway");
        Assert.True(IsSelfOrDescendant(parts[2], attempt.SpanId, traceId),
            $"traceparent {traceparent} does not name the attempt span {attempt.SpanId} or a child of it (HttpClient's own span).");
        Assert.Equal(ActivityKind.Client, attempt.Kind);
        Assert.Equal("chat qwen3", attempt.DisplayName);
        Assert.Equal("chat", attempt.GetTagItem("gen_ai.operation.name"));
        Assert.Equal("openai", attempt.GetTagItem("gen_ai.provider.name"));
        Assert.Equal("qwen3", attempt.GetTagItem("gen_ai.request.model"));
        Assert.Equal("Qwen/Qwen3-32B", attempt.GetTagItem("gen_ai.response.model"));
        Assert.Equal("qwen-sim", attempt.GetTagItem("modelgateway.deployment"));
        Assert.True((int)attempt.GetTagItem("gen_ai.usage.input_tokens")! > 0);
        Assert.Equal(ActivityStatusCode.Unset, attempt.Status);

        // The attempt hangs off the server span, which continues the client's trace.
        // (The simulator runs in this process too: its server span is the child of the attempt, not the parent.)
        var server = await SpanAsync(a => a.TraceId == traceId && a.Source.Name == "Microsoft.AspNetCore" && a.ParentSpanId == clientSpan);
        Assert.Equal(server.SpanId, attempt.ParentSpanId);
        Assert.Equal("served", server.GetTagItem("modelgateway.outcome"));
        Assert.Equal(new[] { "qwen-sim" }, server.GetTagItem("modelgateway.route.candidates"));

        // No prompt or completion content on any span.
        var spans = _stopped.Where(a => a.TraceId == traceId).ToList();
        Assert.All(spans.SelectMany(a => a.TagObjects), tag => Assert.DoesNotContain("nightingale", tag.Value?.ToString() ?? string.Empty, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_fallback_is_an_event_on_the_server_span_between_two_attempt_spans()
    {
        var traceId = ActivityTraceId.CreateRandom();
        var clientSpan = ActivitySpanId.CreateRandom();

        using var response = await SendAsync("fallback-model", $"00-{traceId}-{clientSpan}-01");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var server = await SpanAsync(a => a.TraceId == traceId && a.Source.Name == "Microsoft.AspNetCore" && a.ParentSpanId == clientSpan);
        var attempts = _stopped.Where(a => a.TraceId == traceId && a.Source.Name == "ModelGateway")
            .OrderBy(a => (int)a.GetTagItem("modelgateway.attempt")!).ToList();
        Assert.Equal(2, attempts.Count);
        Assert.Equal("fb-dead", attempts[0].GetTagItem("modelgateway.deployment"));
        Assert.Equal("upstream_unreachable", attempts[0].GetTagItem("error.type"));
        Assert.Equal(ActivityStatusCode.Error, attempts[0].Status);
        Assert.Equal("fb-sim", attempts[1].GetTagItem("modelgateway.deployment"));
        Assert.All(attempts, a => Assert.Equal(server.SpanId, a.ParentSpanId));

        var fallback = Assert.Single(server.Events, e => e.Name == "modelgateway.fallback");
        var tags = fallback.Tags.ToDictionary(t => t.Key, t => t.Value);
        Assert.Equal("fb-dead", tags["modelgateway.fallback.from"]);
        Assert.Equal("fb-sim", tags["modelgateway.fallback.to"]);
        Assert.Equal("fell_back", server.GetTagItem("modelgateway.outcome"));
        Assert.Equal(new[] { "fb-dead", "fb-sim" }, server.GetTagItem("modelgateway.route.candidates"));
    }

    private async Task<HttpResponseMessage> SendAsync(string model, string traceparent)
    {
        using var http = _gateway.HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = new StringContent($$"""{"model":"{{model}}","messages":[{"role":"user","content":"{{Prompt}}"}]}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("traceparent", traceparent);
        var response = await http.SendAsync(request);
        await response.Content.LoadIntoBufferAsync();
        return response;
    }

    /// <summary>Walks up from a span id through the recorded spans of the trace looking for an ancestor.</summary>
    private bool IsSelfOrDescendant(string spanId, ActivitySpanId ancestor, ActivityTraceId traceId)
    {
        var spans = _stopped.Where(a => a.TraceId == traceId).ToDictionary(a => a.SpanId.ToHexString());
        for (var current = spanId; current is not null;)
        {
            if (current == ancestor.ToHexString())
            {
                return true;
            }

            current = spans.TryGetValue(current, out var span) ? span.ParentSpanId.ToHexString() : null;
        }

        return false;
    }

    private async Task<Activity> SpanAsync(Func<Activity, bool> match)
    {
        // The server span stops just after the response is sent; give it a moment.
        for (var i = 0; i < 200; i++)
        {
            if (_stopped.FirstOrDefault(match) is { } activity)
            {
                return activity;
            }

            await Task.Delay(10);
        }

        throw new Xunit.Sdk.XunitException("The expected span was not recorded.");
    }
}
