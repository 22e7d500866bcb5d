using System.Text;
using BenchmarkDotNet.Attributes;
using ModelGateway.Accounting;
using ModelGateway.Configuration;
using ModelGateway.Providers.OpenAi;
using ModelGateway.Requests;

namespace ModelGateway.Benchmarks;

/// <summary>
/// The per-chunk work on a streamed response: passing 20 content events plus the usage chunk through the SSE observer
/// (which reads the usage and drops the chunk the client did not ask for), and the cost computation at the end.
/// </summary>
[MemoryDiagnoser]
public class StreamObservationBenchmarks
{
    private byte[] _stream = [];
    private readonly byte[] _copyBuffer = new byte[64 * 1024];

    [GlobalSetup]
    public void Setup()
    {
        var builder = new StringBuilder();
        for (var i = 0; i < 20; i++)
        {
            builder.Append("data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1795418072,\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"word")
                .Append(i).Append(" \"},\"logprobs\":null,\"finish_reason\":null}],\"usage\":null}\n\n");
        }

        builder.Append("data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1795418072,\"model\":\"m\",\"choices\":[],\"usage\":{\"prompt_tokens\":25,\"completion_tokens\":20,\"total_tokens\":45,\"prompt_tokens_details\":{\"cached_tokens\":0},\"completion_tokens_details\":{\"reasoning_tokens\":0}}}\n\n");
        builder.Append("data: [DONE]\n\n");
        _stream = Encoding.UTF8.GetBytes(builder.ToString());
    }

    /// <summary>One read per event, as the upstream sends them.</summary>
    [Benchmark]
    public async Task<int> ObserveStream()
    {
        using var observer = new SseResponseObserver(dropUsageChunk: true, TimeSpan.FromMinutes(1), TimeProvider.System, CancellationToken.None);
        observer.Attach(new EventPerReadStream(_stream));
        var total = 0;
        int read;
        while ((read = await observer.ReadAsync(_copyBuffer)) > 0)
        {
            total += read;
        }

        return total + observer.Usage!.Value.TotalTokens;
    }

    [Benchmark]
    public decimal ComputeCost() => new ModelPrice(0.15m, 0.075m, 0.60m).CostOf(new TokenUsage(1200, 400, 350, 100));

    /// <summary>Returns the stream one SSE event per read.</summary>
    private sealed class EventPerReadStream(byte[] data) : Stream
    {
        private int _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => data.Length;

        public override long Position { get => _position; set => throw new NotSupportedException(); }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var rest = data.AsSpan(_position);
            var end = rest.IndexOf("\n\n"u8);
            var length = end < 0 ? rest.Length : end + 2;
            length = Math.Min(length, buffer.Length);
            rest[..length].CopyTo(buffer.Span);
            _position += length;
            return ValueTask.FromResult(length);
        }

        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().Result;

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
