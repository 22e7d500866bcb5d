using System.Diagnostics;
using ModelGateway.Tests.Simulator;
using Xunit.Abstractions;

namespace ModelGateway.Tests.FrontDoor.AnthropicMessages;

/// <summary>
/// What translation adds to the time to the first streamed event: the same simulator deployment asked through the
/// gateway in chat completions (pass-through) and in Messages (translated both ways), medians over many requests.
/// </summary>
public sealed class TranslationLatencyTests(ITestOutputHelper output) : MessagesGateway
{
    private const int Rounds = 40;

    [Fact]
    public async Task Translation_adds_little_to_the_time_to_first_event()
    {
        using var chat = Gateway.HttpClient();
        using var messages = Raw();
        var chatBody = """{"model":"qwen3-coder","stream":true,"messages":[{"role":"user","content":"hello"}]}""";
        var messagesBody = """{"model":"qwen3-coder","max_tokens":50,"stream":true,"messages":[{"role":"user","content":"hello"}]}""";
        var passThrough = new List<double>();
        var translated = new List<double>();
        for (var i = 0; i < Rounds + 5; i++)
        {
            var a = await FirstEventAsync(chat, "/v1/chat/completions", chatBody);
            var b = await FirstEventAsync(messages, "/v1/messages", messagesBody);
            if (i >= 5)
            {
                // The first rounds warm up connections and JIT.
                passThrough.Add(a);
                translated.Add(b);
            }
        }

        var added = Median(translated) - Median(passThrough);
        output.WriteLine($"time to first event, median of {Rounds}: chat pass-through {Median(passThrough):0.00} ms, messages translated {Median(translated):0.00} ms, added {added:0.00} ms");
        Assert.True(added < 25, $"translation added {added:0.00} ms to the first event");
    }

    private static async Task<double> FirstEventAsync(HttpClient http, string path, string body)
    {
        var clock = Stopwatch.StartNew();
        using var response = await http.SendAsync(RawApi.Post(path, body), HttpCompletionOption.ResponseHeadersRead);
        await using var stream = await response.Content.ReadAsStreamAsync();
        var buffer = new byte[1];
        _ = await stream.ReadAsync(buffer);
        var elapsed = clock.Elapsed.TotalMilliseconds;
        await stream.CopyToAsync(Stream.Null);
        return elapsed;
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted[sorted.Count / 2];
    }
}
