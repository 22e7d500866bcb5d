using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ModelGateway.Tests.Infrastructure;

namespace ModelGateway.Tests.Simulator;

public sealed class ControlApiTests
{
    [Fact]
    public async Task Faults_can_be_queued_listed_and_cleared_over_http()
    {
        await using var sim = await SimulatorHost.StartAsync();
        using var http = sim.HttpClient();

        using var queued = await http.PostAsync("/_sim/faults", """{"kind":"status","status":429,"retryAfterSeconds":1,"count":2}""");
        var pending = await (await http.GetAsync("/_sim/faults")).JsonAsync();
        using var limited = await http.GetAsync("/v1/models");
        var remaining = await (await http.GetAsync("/_sim/faults")).JsonAsync();
        using var cleared = await http.DeleteAsync("/_sim/faults");
        using var ok = await http.GetAsync("/v1/models");

        Assert.Equal(HttpStatusCode.OK, queued.StatusCode);
        Assert.Equal("Status", pending[0].GetProperty("kind").GetString());
        Assert.Equal(2, pending[0].GetProperty("count").GetInt32());
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(1), limited.Headers.RetryAfter?.Delta);
        Assert.Equal(1, remaining[0].GetProperty("count").GetInt32());
        Assert.Equal(HttpStatusCode.NoContent, cleared.StatusCode);
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
    }

    [Fact]
    public async Task Stream_faults_can_be_queued_over_http()
    {
        await using var sim = await SimulatorHost.StartAsync();
        using var http = sim.HttpClient();

        using var queued = await http.PostAsync("/_sim/faults", """{"kind":"truncateStream","afterChunks":2}""");
        using var response = await http.SendAsync(
            RawApi.Post("/v1/chat/completions", """{"model":"m","stream":true,"messages":[{"role":"user","content":"hello"}]}"""),
            HttpCompletionOption.ResponseHeadersRead);
        var transcript = await SseTranscript.ReadAsync(response);

        Assert.Equal(HttpStatusCode.OK, queued.StatusCode);
        Assert.Equal(2, transcript.Chunks.Count);
        Assert.False(transcript.Done);
    }

    [Theory]
    [InlineData("""{"kind":"status","status":200}""")]
    [InlineData("""{"kind":"latency"}""")]
    [InlineData("""{"kind":"reset","count":0}""")]
    public async Task Invalid_faults_are_rejected_with_problem_details(string json)
    {
        await using var sim = await SimulatorHost.StartAsync();
        using var http = sim.HttpClient();

        using var response = await http.PostAsync("/_sim/faults", json);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Empty(sim.State.Received);
    }

    [Fact]
    public async Task Recorded_requests_are_listed_and_cleared_and_control_calls_are_not_recorded()
    {
        await using var sim = await SimulatorHost.StartAsync();
        using var http = sim.HttpClient("sk-test");

        using var chat = await http.PostAsync("/v1/chat/completions?trace=1", RawApi.Hello, ("x-custom", "abc"));
        var recorded = await (await http.GetAsync("/_sim/requests")).JsonAsync();
        using var cleared = await http.DeleteAsync("/_sim/requests");
        var empty = await (await http.GetAsync("/_sim/requests")).JsonAsync();

        var request = Assert.Single(recorded.EnumerateArray());
        Assert.Equal("POST", request.GetProperty("method").GetString());
        Assert.Equal("/v1/chat/completions", request.GetProperty("path").GetString());
        Assert.Equal("?trace=1", request.GetProperty("query").GetString());
        Assert.Equal(RawApi.Hello, request.GetProperty("body").GetString());
        Assert.Equal("abc", request.GetProperty("headers").GetProperty("x-custom").GetString());
        Assert.Equal("Bearer sk-test", request.GetProperty("headers").GetProperty("authorization").GetString());
        Assert.False(request.GetProperty("aborted").GetBoolean());
        Assert.True(request.GetProperty("receivedAt").GetDateTimeOffset() > DateTimeOffset.UtcNow.AddMinutes(-5));
        Assert.Equal(HttpStatusCode.NoContent, cleared.StatusCode);
        Assert.Equal(0, empty.GetArrayLength());
        Assert.Empty(sim.State.Received);
    }

    [Fact]
    public async Task Recording_can_be_turned_off_and_is_bounded()
    {
        await using var off = await SimulatorHost.StartAsync(o => o.RecordRequests = false);
        await using var bounded = await SimulatorHost.StartAsync(o => o.MaxRecordedRequests = 2);
        using var offHttp = off.HttpClient();
        using var boundedHttp = bounded.HttpClient();

        for (var i = 0; i < 3; i++)
        {
            using var a = await offHttp.PostAsync("/v1/chat/completions", RawApi.Hello);
            using var b = await boundedHttp.PostAsync("/v1/chat/completions", RawApi.Hello.Replace("hello", $"hello {i}", StringComparison.Ordinal));
            Assert.Equal(HttpStatusCode.OK, a.StatusCode);
        }

        Assert.Empty(off.State.Received);
        Assert.Equal(["hello 1", "hello 2"], bounded.State.Received.Select(r => JsonDocument.Parse(r.Body).RootElement.GetProperty("messages")[0].GetProperty("content").GetString()));
    }

    [Fact]
    public async Task Health_reports_the_simulator()
    {
        await using var sim = await SimulatorHost.StartAsync(o => o.Name = "sim-a");
        using var http = sim.HttpClient();

        var health = await http.GetFromJsonAsync<JsonElement>("/_sim/health");

        Assert.Equal("ok", health.GetProperty("status").GetString());
        Assert.Equal("sim-a", health.GetProperty("name").GetString());
        Assert.True(health.GetProperty("simulator").GetBoolean());
        Assert.Equal(3, health.GetProperty("models").GetArrayLength());
    }

    [Fact]
    public async Task Invalid_options_stop_the_start()
    {
        await Assert.ThrowsAnyAsync<Microsoft.Extensions.Options.OptionsValidationException>(
            () => SimulatorHost.StartAsync(o => o.DefaultChunks = 0));
    }
}
