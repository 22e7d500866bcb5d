using System.Diagnostics;
using System.Text.Json;
using ModelGateway.Tests.Infrastructure;
using OpenAI.Chat;

namespace ModelGateway.Tests.Simulator;

public sealed class ChatStreamingTests
{
    private const string StreamHello = """{"model":"sim-small","stream":true,"messages":[{"role":"user","content":"hello"}]}""";

    [Fact]
    public async Task Sdk_receives_one_update_per_word_and_usage()
    {
        await using var sim = await SimulatorHost.StartAsync();
        var chat = sim.OpenAiClient().GetChatClient("sim-small");

        List<StreamingChatCompletionUpdate> updates = [];
        await foreach (var update in chat.CompleteChatStreamingAsync([new UserChatMessage("hello")]))
        {
            updates.Add(update);
        }

        var words = updates.SelectMany(u => u.ContentUpdate).Select(p => p.Text).Where(t => t.Length > 0).ToList();
        Assert.Equal(8, words.Count);
        Assert.Equal(RawApi.HelloReply, string.Concat(words));
        Assert.Equal(ChatFinishReason.Stop, Assert.Single(updates, u => u.FinishReason is not null).FinishReason);
        Assert.Single(updates.Select(u => u.CompletionId).Distinct());

        // The .NET SDK always asks for usage when streaming, so exactly one update carries it.
        using var sent = JsonDocument.Parse(Assert.Single(sim.State.Received).Body);
        Assert.True(sent.RootElement.GetProperty("stream_options").GetProperty("include_usage").GetBoolean());
        var usage = Assert.Single(updates, u => u.Usage is not null).Usage;
        Assert.Equal(5, usage.InputTokenCount);
        Assert.Equal(8, usage.OutputTokenCount);
        Assert.Equal(13, usage.TotalTokenCount);
    }

    [Fact]
    public async Task Wire_format_matches_openai_chunks_without_usage()
    {
        await using var sim = await SimulatorHost.StartAsync();
        using var http = sim.HttpClient();

        using var response = await http.SendAsync(RawApi.Post("/v1/chat/completions", StreamHello, ("x-sim-chunks", "3")), HttpCompletionOption.ResponseHeadersRead);
        var transcript = await SseTranscript.ReadAsync(response);

        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        Assert.Null(transcript.Error);
        Assert.True(transcript.Done);
        Assert.EndsWith("\n\ndata: [DONE]\n\n", transcript.Raw, StringComparison.Ordinal);
        Assert.Equal(5, transcript.Chunks.Count); // role, 3 words, finish
        Assert.Single(transcript.Chunks.Select(c => c.GetProperty("id").GetString()).Distinct());
        Assert.Single(transcript.Chunks.Select(c => c.GetProperty("created").GetInt64()).Distinct());
        foreach (var chunk in transcript.Chunks)
        {
            Assert.Equal("chat.completion.chunk", chunk.GetProperty("object").GetString());
            Assert.Equal("sim-small", chunk.GetProperty("model").GetString());
            Assert.Equal(JsonValueKind.Null, chunk.GetProperty("usage").ValueKind);
            var choice = Assert.Single(chunk.GetProperty("choices").EnumerateArray());
            Assert.Equal(0, choice.GetProperty("index").GetInt32());
            Assert.Equal(JsonValueKind.Null, choice.GetProperty("logprobs").ValueKind);
        }

        string Delta(int i) => transcript.Chunks[i].GetProperty("choices")[0].GetProperty("delta").GetRawText();
        string? Finish(int i) => transcript.Chunks[i].GetProperty("choices")[0].GetProperty("finish_reason").GetString();
        Assert.Equal("""{"role":"assistant","content":""}""", Delta(0));
        Assert.Equal("""{"content":"simulator "}""", Delta(1));
        Assert.Equal("""{"content":"says "}""", Delta(2));
        Assert.Equal("""{"content":"zephyr"}""", Delta(3));
        Assert.Equal("{}", Delta(4));
        Assert.Equal([null, null, null, null, "stop"], Enumerable.Range(0, 5).Select(Finish));
    }

    [Fact]
    public async Task Include_usage_adds_one_usage_chunk_before_done()
    {
        await using var sim = await SimulatorHost.StartAsync();
        using var http = sim.HttpClient();
        const string Body = """{"model":"m","stream":true,"stream_options":{"include_usage":true},"max_completion_tokens":4,"messages":[{"role":"user","content":"hello"}]}""";

        using var response = await http.SendAsync(RawApi.Post("/v1/chat/completions", Body), HttpCompletionOption.ResponseHeadersRead);
        var transcript = await SseTranscript.ReadAsync(response);

        Assert.True(transcript.Done);
        Assert.Equal(7, transcript.Chunks.Count); // role, 4 words, finish, usage
        var last = transcript.Chunks[^1];
        Assert.Equal(0, last.GetProperty("choices").GetArrayLength());
        Assert.Equal(4, last.GetProperty("usage").GetProperty("completion_tokens").GetInt32());
        Assert.Equal(5, last.GetProperty("usage").GetProperty("prompt_tokens").GetInt32());
        Assert.All(transcript.Chunks.SkipLast(1), c => Assert.Equal(JsonValueKind.Null, c.GetProperty("usage").ValueKind));
        Assert.Equal("length", transcript.Chunks[^2].GetProperty("choices")[0].GetProperty("finish_reason").GetString());
        Assert.Equal("simulator says zephyr timber", transcript.Content());
    }

    [Fact]
    public async Task Several_choices_are_interleaved_and_each_finishes_once()
    {
        await using var sim = await SimulatorHost.StartAsync();
        using var http = sim.HttpClient();
        const string Body = """{"model":"m","stream":true,"n":2,"messages":[{"role":"user","content":"hello"}]}""";

        using var response = await http.SendAsync(RawApi.Post("/v1/chat/completions", Body, ("x-sim-chunks", "4")), HttpCompletionOption.ResponseHeadersRead);
        var transcript = await SseTranscript.ReadAsync(response);

        var indexes = transcript.Chunks.Select(c => c.GetProperty("choices")[0].GetProperty("index").GetInt32()).ToList();
        Assert.Equal([0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1], indexes);
        Assert.Equal("simulator says zephyr timber", transcript.Content(0));
        Assert.StartsWith("simulator says ", transcript.Content(1), StringComparison.Ordinal);
        Assert.NotEqual(transcript.Content(0), transcript.Content(1));
    }

    [Fact]
    public async Task Chunk_delay_header_spaces_the_chunks()
    {
        await using var sim = await SimulatorHost.StartAsync();
        using var http = sim.HttpClient();

        var stopwatch = Stopwatch.StartNew();
        using var response = await http.SendAsync(
            RawApi.Post("/v1/chat/completions", StreamHello, ("x-sim-chunks", "3"), ("x-sim-chunk-delay-ms", "40")),
            HttpCompletionOption.ResponseHeadersRead);
        var transcript = await SseTranscript.ReadAsync(response);

        Assert.True(transcript.Done);
        Assert.True(stopwatch.ElapsedMilliseconds >= 4 * 40, $"5 chunks need 4 delays of 40 ms; took {stopwatch.ElapsedMilliseconds} ms.");
    }

    [Fact]
    public async Task Chunks_are_flushed_one_by_one()
    {
        await using var sim = await SimulatorHost.StartAsync(o => o.ChunkDelayMs = 300);
        using var http = RawApi.ClosingClient(sim.BaseUrl);

        using var response = await http.SendAsync(RawApi.Post("/v1/chat/completions", StreamHello), HttpCompletionOption.ResponseHeadersRead);
        await using var stream = await response.Content.ReadAsStreamAsync();
        var buffer = new byte[4096];
        var stopwatch = Stopwatch.StartNew();
        var read = await stream.ReadAsync(buffer);

        // The role chunk arrives on its own, long before the 8 x 300 ms stream is over.
        var text = System.Text.Encoding.UTF8.GetString(buffer, 0, read);
        Assert.StartsWith("data: {", text, StringComparison.Ordinal);
        Assert.Contains("\"role\":\"assistant\"", text, StringComparison.Ordinal);
        Assert.DoesNotContain("[DONE]", text, StringComparison.Ordinal);
        Assert.True(stopwatch.ElapsedMilliseconds < 2000, $"First chunk took {stopwatch.ElapsedMilliseconds} ms.");
    }
}
