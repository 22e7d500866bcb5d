using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using ModelGateway.Accounting;
using ModelGateway.Simulator;
using ModelGateway.Tests.Infrastructure;

namespace ModelGateway.Tests.FrontDoor;

/// <summary>Streaming over raw HTTP, where timing and exact bytes are visible.</summary>
public sealed class StreamingTests : GatewayWithSimulator
{
    private const string StreamBody = """{"model":"qwen3","stream":true,"messages":[{"role":"user","content":"stream please"}]}""";

    [Fact]
    public async Task Chunks_are_forwarded_as_they_arrive_not_buffered()
    {
        using var http = Gateway.HttpClient();
        using var request = StreamRequest(StreamBody);
        request.Headers.Add("x-sim-chunks", "10");
        request.Headers.Add("x-sim-chunk-delay-ms", "200");
        var clock = Stopwatch.StartNew();

        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        var arrivals = new List<(TimeSpan At, string Data)>();
        await foreach (var data in ReadEventsAsync(response))
        {
            arrivals.Add((clock.Elapsed, data));
        }

        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        var firstContent = arrivals.First(a => a.Data.Contains("\"content\":\"sim", StringComparison.Ordinal)).At;
        var done = arrivals.Single(a => a.Data == "[DONE]").At;

        // Ten chunks 200 ms apart take about two seconds; the first must be here long before the stream ends.
        Assert.True(done - firstContent >= TimeSpan.FromMilliseconds(1500), $"first content at {firstContent}, done at {done}");
        Assert.True(firstContent < TimeSpan.FromMilliseconds(1000), $"first content only at {firstContent}");
    }

    [Fact]
    public async Task Usage_chunk_reaches_only_clients_that_asked_but_is_always_accounted()
    {
        using var http = Gateway.HttpClient();

        var without = await ReadAllEventsAsync(http, StreamBody);
        var with = await ReadAllEventsAsync(http, StreamBody.Replace("\"stream\":true", "\"stream\":true,\"stream_options\":{\"include_usage\":true}", StringComparison.Ordinal));

        Assert.DoesNotContain(without, e => e.Contains("\"usage\":{", StringComparison.Ordinal));
        Assert.Single(with, e => e.Contains("\"choices\":[]", StringComparison.Ordinal) && e.Contains("\"usage\":{", StringComparison.Ordinal));
        Assert.Equal("[DONE]", without[^1]);
        Assert.Equal(without.Count + 1, with.Count);

        Assert.All(Upstream.Received, r => Assert.Contains("\"include_usage\":true", r.Body, StringComparison.Ordinal));
        var records = await Gateway.Service<IUsageLedger>().WaitForRecordsAsync(2);
        Assert.Equal(2, records.Count);
        Assert.All(records, r => Assert.True(r.UsageReported && r.Usage.CompletionTokens == 8));
    }

    [Fact]
    public async Task Client_disconnect_cancels_the_upstream_request()
    {
        using var http = Gateway.HttpClient();
        using var request = StreamRequest(StreamBody);
        request.Headers.Add("x-sim-chunks", "50");
        request.Headers.Add("x-sim-chunk-delay-ms", "300");

        using (var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead))
        {
            await using var stream = await response.Content.ReadAsStreamAsync();
            var buffer = new byte[256];
            Assert.True(await stream.ReadAsync(buffer) > 0);
        }

        http.CancelPendingRequests();
        http.Dispose();

        await Upstream.WaitForAbortAsync(TimeSpan.FromSeconds(10));
        Assert.True(Assert.Single(Upstream.Received).Aborted);
    }

    [Theory]
    [InlineData(FaultKind.CutStream, "upstream_stream_interrupted")]
    [InlineData(FaultKind.TruncateStream, "upstream_stream_truncated")]
    public async Task A_stream_that_breaks_ends_with_an_error_event(FaultKind kind, string code)
    {
        Upstream.EnqueueFault(new FaultSpec { Kind = kind, AfterChunks = 3 });
        using var http = Gateway.HttpClient();

        var events = await ReadAllEventsAsync(http, StreamBody);

        Assert.Equal(3, events.Count(e => e.Contains("chat.completion.chunk", StringComparison.Ordinal)));
        using var last = JsonDocument.Parse(events[^1]);
        Assert.Equal(code, last.RootElement.GetProperty("error").GetProperty("code").GetString());
        Assert.DoesNotContain("[DONE]", events);
    }

    [Fact]
    public async Task Unknown_request_fields_reach_the_upstream_untouched()
    {
        const string Body = """{"model":"qwen3","messages":[{"role":"user","content":"caf\u00e9 \ud83d\ude00"}],"top_k":40,"repetition_penalty":1.05,"structured_outputs":{"json":{"type":"object"}},"metadata":{"team":"search"}}""";
        using var http = Gateway.HttpClient();

        using var response = await http.PostAsync("/v1/chat/completions", new StringContent(Body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(Body.Replace("\"qwen3\"", "\"Qwen/Qwen3-32B\"", StringComparison.Ordinal), Assert.Single(Upstream.Received).Body);
    }

    private static HttpRequestMessage StreamRequest(string body) =>
        new(HttpMethod.Post, "/v1/chat/completions") { Content = new StringContent(body, Encoding.UTF8, "application/json") };

    private static async Task<List<string>> ReadAllEventsAsync(HttpClient http, string body)
    {
        using var request = StreamRequest(body);
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var events = new List<string>();
        await foreach (var data in ReadEventsAsync(response))
        {
            events.Add(data);
        }

        return events;
    }

    /// <summary>Yields the data of each server-sent event as soon as its line arrives.</summary>
    private static async IAsyncEnumerable<string> ReadEventsAsync(HttpResponseMessage response)
    {
        await using var stream = await response.Content.ReadAsStreamAsync();
        using var reader = new StreamReader(stream);
        while (await reader.ReadLineAsync() is { } line)
        {
            if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                yield return line["data: ".Length..];
            }
        }
    }
}
