using System.Text;
using BenchmarkDotNet.Attributes;
using ModelGateway.FrontDoor;
using ModelGateway.Providers.OpenAi;

namespace ModelGateway.Benchmarks;

/// <summary>Parsing a chat request and splicing the upstream model name into it: the per-request body work.</summary>
[MemoryDiagnoser]
public class RequestParsingBenchmarks
{
    private static readonly byte[] UpstreamModel = Encoding.UTF8.GetBytes("\"Qwen/Qwen3-32B\"");
    private byte[] _body = [];

    [GlobalSetup]
    public void Setup()
    {
        var prompt = string.Concat(Enumerable.Repeat("The quick brown fox jumps over the lazy dog. ", 90));
        _body = Encoding.UTF8.GetBytes(
            "{\"model\":\"qwen3\",\"stream\":true,\"messages\":[{\"role\":\"system\",\"content\":\"You are terse.\"},{\"role\":\"user\",\"content\":\"" +
            prompt + "\"}],\"temperature\":0.2,\"max_tokens\":256}");
    }

    [Benchmark]
    public int? ParseChatRequest() => ChatRequestParser.Parse(_body, out _)!.MaxOutputTokens;

    [Benchmark]
    public int ParseAndRewrite()
    {
        var chat = ChatRequestParser.Parse(_body, out _)!;
        using var rewritten = OpenAiBodyRewriter.Rewrite(_body, chat.ModelToken, UpstreamModel, chat);
        return rewritten!.Length;
    }
}
