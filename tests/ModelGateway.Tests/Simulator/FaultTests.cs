using System.ClientModel;
using System.Diagnostics;
using System.Net;
using System.Text.Json;
using ModelGateway.Simulator;
using ModelGateway.Tests.Infrastructure;
using OpenAI.Chat;

namespace ModelGateway.Tests.Simulator;

public sealed class FaultTests
{
    private const string StreamHello = """{"model":"m","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"hello"}]}""";

    [Fact]
    public async Task Queued_status_fault_surfaces_in_the_sdk_then_the_next_call_succeeds()
    {
        await using var sim = await SimulatorHost.StartAsync();
        var chat = sim.OpenAiClient().GetChatClient("sim-small");
        sim.State.EnqueueFault(new FaultSpec { Kind = FaultKind.Status, Status = 503 });

        var exception = await Assert.ThrowsAsync<ClientResultException>(() => chat.CompleteChatAsync([new UserChatMessage("hello")]));
        ChatCompletion next = await chat.CompleteChatAsync([new UserChatMessage("hello")]);

        Assert.Equal(503, exception.Status);
        Assert.Contains("simulated fault", exception.Message, StringComparison.Ordinal);
        Assert.Equal(RawApi.HelloReply, next.Content[0].Text);
    }

    [Fact]
    public async Task Status_fault_from_the_header_has_the_envelope_and_retry_after()
    {
        await using var sim = await SimulatorHost.StartAsync();
        using var http = sim.HttpClient();

        using var limited = await http.PostAsync("/v1/chat/completions", RawApi.Hello, ("x-sim-fault", "status=429; retry-after=2"));
        using var failed = await http.PostAsync("/v1/chat/completions", RawApi.Hello, ("x-sim-fault", "status=500;retry-after=2;message=boom"));

        await RawApi.AssertErrorAsync(limited, 429, "requests", "rate_limit_exceeded");
        Assert.Equal(TimeSpan.FromSeconds(2), limited.Headers.RetryAfter?.Delta);
        var error = await RawApi.AssertErrorAsync(failed, 500, "server_error", null);
        Assert.Equal("boom", error.GetProperty("message").GetString());
        Assert.Null(failed.Headers.RetryAfter); // only 429 and 503 carry it
    }

    [Fact]
    public async Task Queued_faults_apply_in_order_for_their_count()
    {
        await using var sim = await SimulatorHost.StartAsync();
        using var http = sim.HttpClient();
        sim.State.EnqueueFault(new FaultSpec { Status = 500, Count = 2 });
        sim.State.EnqueueFault(new FaultSpec { Status = 503, RetryAfterSeconds = 1 });

        List<int> statuses = [];
        for (var i = 0; i < 4; i++)
        {
            using var response = await http.GetAsync("/v1/models");
            statuses.Add((int)response.StatusCode);
        }

        Assert.Equal([500, 500, 503, 200], statuses);
    }

    [Fact]
    public async Task Header_fault_wins_and_leaves_the_queue_alone()
    {
        await using var sim = await SimulatorHost.StartAsync();
        using var http = sim.HttpClient();
        sim.State.EnqueueFault(new FaultSpec { Status = 502 });

        using var headerFault = await http.PostAsync("/v1/chat/completions", RawApi.Hello, ("x-sim-fault", "status=418"));
        using var queued = await http.GetAsync("/v1/models");
        sim.State.EnqueueFault(new FaultSpec { Status = 502 });
        sim.State.ClearFaults();
        using var cleared = await http.GetAsync("/v1/models");

        Assert.Equal(418, (int)headerFault.StatusCode);
        Assert.Equal(HttpStatusCode.BadGateway, queued.StatusCode);
        Assert.Equal(HttpStatusCode.OK, cleared.StatusCode);
    }

    [Fact]
    public async Task Reset_aborts_the_connection_and_is_not_a_client_abort()
    {
        await using var sim = await SimulatorHost.StartAsync();
        using var http = sim.HttpClient();
        sim.State.EnqueueFault(new FaultSpec { Kind = FaultKind.Reset });

        await Assert.ThrowsAsync<HttpRequestException>(() => http.PostAsync("/v1/chat/completions", RawApi.Hello));
        using var next = await http.PostAsync("/v1/chat/completions", RawApi.Hello);

        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
        Assert.Equal(2, sim.State.Received.Count);
        Assert.False(sim.State.Received[0].Aborted);
        Assert.Equal(0, sim.State.AbortedCount);
    }

    [Fact]
    public async Task Cut_stream_sends_some_chunks_then_breaks_the_connection()
    {
        await using var sim = await SimulatorHost.StartAsync();
        using var http = sim.HttpClient();
        sim.State.EnqueueFault(new FaultSpec { Kind = FaultKind.CutStream, AfterChunks = 3 });

        using var response = await http.SendAsync(RawApi.Post("/v1/chat/completions", StreamHello), HttpCompletionOption.ResponseHeadersRead);
        var transcript = await SseTranscript.ReadAsync(response);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.NotNull(transcript.Error);
        Assert.Equal(3, transcript.Chunks.Count);
        Assert.False(transcript.Done);
        Assert.Equal("simulator says ", transcript.Content());
        Assert.Equal(0, sim.State.AbortedCount);
    }

    [Fact]
    public async Task Cut_on_a_whole_response_aborts_before_anything_is_sent()
    {
        await using var sim = await SimulatorHost.StartAsync();
        using var http = sim.HttpClient();

        await Assert.ThrowsAsync<HttpRequestException>(
            () => http.PostAsync("/v1/chat/completions", RawApi.Hello, ("x-sim-fault", "cut=3")));
    }

    [Fact]
    public async Task Truncate_stream_ends_cleanly_without_done_or_usage()
    {
        await using var sim = await SimulatorHost.StartAsync();
        using var http = sim.HttpClient();

        using var response = await http.SendAsync(
            RawApi.Post("/v1/chat/completions", StreamHello, ("x-sim-fault", "truncate=4")), HttpCompletionOption.ResponseHeadersRead);
        var transcript = await SseTranscript.ReadAsync(response);

        Assert.Null(transcript.Error);
        Assert.Equal(4, transcript.Chunks.Count);
        Assert.False(transcript.Done);
        Assert.All(transcript.Chunks, c => Assert.Equal(JsonValueKind.Null, c.GetProperty("usage").ValueKind));
        Assert.Equal("simulator says zephyr ", transcript.Content());
    }

    [Fact]
    public async Task Truncate_on_a_whole_response_sends_half_the_body()
    {
        await using var sim = await SimulatorHost.StartAsync();
        using var http = sim.HttpClient();

        var whole = await (await http.PostAsync("/v1/chat/completions", RawApi.Hello)).Content.ReadAsStringAsync();
        using var truncated = await http.PostAsync("/v1/chat/completions", RawApi.Hello, ("x-sim-fault", "truncate=0"));
        var text = await truncated.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, truncated.StatusCode);
        Assert.Equal(whole.Length / 2, text.Length);
        Assert.StartsWith(text[..20], whole, StringComparison.Ordinal);
        Assert.ThrowsAny<JsonException>(() => JsonDocument.Parse(text));
    }

    [Theory]
    [InlineData("truncated", "application/json")]
    [InlineData("html", "text/html")]
    [InlineData("random", "application/json")]
    [InlineData("null", "application/json")]
    [InlineData("empty", "application/json")]
    public async Task Broken_body_is_a_200_that_is_not_a_json_object(string body, string mediaType)
    {
        await using var sim = await SimulatorHost.StartAsync();
        using var http = sim.HttpClient();

        using var response = await http.PostAsync("/v1/chat/completions", RawApi.Hello, ("x-sim-fault", "body=" + body));
        var bytes = await response.Content.ReadAsByteArrayAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(mediaType, response.Content.Headers.ContentType?.MediaType);
        var isObject = false;
        try
        {
            using var document = JsonDocument.Parse(bytes);
            isObject = document.RootElement.ValueKind == JsonValueKind.Object;
        }
        catch (JsonException)
        {
        }

        Assert.False(isObject);
    }

    [Fact]
    public async Task Oversized_event_follows_the_given_events_with_one_endless_data_line()
    {
        await using var sim = await SimulatorHost.StartAsync();
        using var http = sim.HttpClient();

        using var response = await http.PostAsync("/v1/chat/completions", StreamHello, ("x-sim-fault", "big-event=200000;after=2"));
        var text = await response.Content.ReadAsStringAsync();

        var events = text.Split("\n\n");
        Assert.Equal(3, events.Length);
        Assert.Equal("data: " + new string('a', 200_000), events[2]);
    }

    [Fact]
    public async Task Bad_usage_reports_the_given_prompt_tokens()
    {
        await using var sim = await SimulatorHost.StartAsync();
        using var http = sim.HttpClient();

        using var response = await http.PostAsync("/v1/chat/completions", RawApi.Hello, ("x-sim-fault", "prompt-tokens=-5"));
        var json = await response.JsonAsync();

        Assert.Equal(-5, json.GetProperty("usage").GetProperty("prompt_tokens").GetInt32());
        Assert.Equal(8, json.GetProperty("usage").GetProperty("completion_tokens").GetInt32());
    }

    [Fact]
    public async Task Latency_delays_the_response_and_combines_with_a_status()
    {
        await using var sim = await SimulatorHost.StartAsync();
        using var http = sim.HttpClient();

        var stopwatch = Stopwatch.StartNew();
        using var slow = await http.PostAsync("/v1/chat/completions", RawApi.Hello, ("x-sim-fault", "latency=150"));
        var slowMs = stopwatch.ElapsedMilliseconds;
        sim.State.EnqueueFault(new FaultSpec { Kind = FaultKind.Status, Status = 429, LatencyMs = 150 });
        stopwatch.Restart();
        using var slowLimited = await http.GetAsync("/v1/models");
        var limitedMs = stopwatch.ElapsedMilliseconds;

        Assert.Equal(HttpStatusCode.OK, slow.StatusCode);
        // Timers may fire a millisecond or so early against the stopwatch: allow a small margin.
        Assert.True(slowMs >= 140, $"took {slowMs} ms");
        Assert.Equal(HttpStatusCode.TooManyRequests, slowLimited.StatusCode);
        Assert.True(limitedMs >= 140, $"took {limitedMs} ms");
    }

    [Fact]
    public async Task Client_going_away_during_latency_is_recorded_as_an_abort()
    {
        await using var sim = await SimulatorHost.StartAsync();
        using var http = RawApi.ClosingClient(sim.BaseUrl);
        sim.State.EnqueueFault(new FaultSpec { Kind = FaultKind.Latency, LatencyMs = 30_000 });
        using var cancel = new CancellationTokenSource();

        var sending = http.SendAsync(RawApi.Post("/v1/chat/completions", RawApi.Hello), cancel.Token);
        await Eventually.TrueAsync(() => sim.State.Received.Count == 1);
        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => sending);
        await sim.State.WaitForAbortAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(1, sim.State.AbortedCount);
        Assert.True(Assert.Single(sim.State.Received).Aborted);
    }

    [Fact]
    public async Task Client_going_away_mid_stream_is_recorded_as_an_abort()
    {
        await using var sim = await SimulatorHost.StartAsync(o => o.ChunkDelayMs = 50);
        using var http = RawApi.ClosingClient(sim.BaseUrl);

        using (var response = await http.SendAsync(
            RawApi.Post("/v1/chat/completions", StreamHello, ("x-sim-chunks", "200")), HttpCompletionOption.ResponseHeadersRead))
        {
            await using var stream = await response.Content.ReadAsStreamAsync();
            var buffer = new byte[256];
            Assert.True(await stream.ReadAsync(buffer) > 0);
        }

        await sim.State.WaitForAbortAsync(TimeSpan.FromSeconds(10));
        Assert.True(Assert.Single(sim.State.Received).Aborted);
    }

    [Fact]
    public async Task Waiting_for_an_abort_times_out_when_none_happens()
    {
        await using var sim = await SimulatorHost.StartAsync();
        using var http = sim.HttpClient();
        using var ok = await http.GetAsync("/v1/models");

        await Assert.ThrowsAsync<TimeoutException>(() => sim.State.WaitForAbortAsync(TimeSpan.FromMilliseconds(50)));
        Assert.Equal(0, sim.State.AbortedCount);
        Assert.False(Assert.Single(sim.State.Received).Aborted);
    }

    [Theory]
    [InlineData("status=200")]
    [InlineData("status=429;reset")]
    [InlineData("explode")]
    [InlineData("retry-after=3")]
    public async Task Invalid_fault_header_is_a_400(string header)
    {
        await using var sim = await SimulatorHost.StartAsync();
        using var http = sim.HttpClient();

        using var response = await http.PostAsync("/v1/chat/completions", RawApi.Hello, ("x-sim-fault", header));

        var error = await RawApi.AssertErrorAsync(response, 400, "invalid_request_error", "invalid_value");
        Assert.Equal("x-sim-fault", error.GetProperty("param").GetString());
    }

    [Fact]
    public async Task Invalid_queued_fault_is_rejected()
    {
        await using var sim = await SimulatorHost.StartAsync();

        Assert.Throws<ArgumentException>(() => sim.State.EnqueueFault(new FaultSpec { Status = 302 }));
        Assert.Throws<ArgumentException>(() => sim.State.EnqueueFault(new FaultSpec { Kind = FaultKind.Reset, Count = 0 }));
    }
}
