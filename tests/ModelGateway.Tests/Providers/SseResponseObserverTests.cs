using System.Text;
using ModelGateway.Providers.OpenAi;
using ModelGateway.Requests;

namespace ModelGateway.Tests.Providers;

public sealed class SseResponseObserverTests
{
    private const string ContentChunk = "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"hi\"},\"finish_reason\":null}],\"usage\":null}\n\n";
    private const string UsageChunk = "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"choices\":[],\"usage\":{\"prompt_tokens\":11,\"completion_tokens\":7,\"total_tokens\":18,\"prompt_tokens_details\":{\"cached_tokens\":4},\"completion_tokens_details\":{\"reasoning_tokens\":2}}}\n\n";
    private const string Done = "data: [DONE]\n\n";

    /// <summary>Feeds the observer one piece per read, as a network would, and collects what it passes on.</summary>
    private static async Task<(string Output, SseResponseObserver Observer)> RunAsync(bool dropUsage, params string[] pieces)
    {
        var observer = new SseResponseObserver(dropUsage, TimeSpan.FromSeconds(30), TimeProvider.System, CancellationToken.None);
        observer.Attach(new PieceStream(pieces.Select(Encoding.UTF8.GetBytes)));
        var output = new MemoryStream();
        await observer.CopyToAsync(output);
        return (Encoding.UTF8.GetString(output.ToArray()), observer);
    }

    [Fact]
    public async Task Passes_events_through_and_reads_usage()
    {
        var (output, observer) = await RunAsync(false, ContentChunk, UsageChunk, Done);

        Assert.Equal(ContentChunk + UsageChunk + Done, output);
        Assert.Equal(new ModelGateway.Requests.TokenUsage(11, 4, 7, 2), observer.Usage);
        Assert.Equal(FailureKind.None, observer.Failure);
    }

    [Fact]
    public async Task Drops_the_usage_chunk_the_client_did_not_ask_for_even_when_split_across_reads()
    {
        var (output, observer) = await RunAsync(true, ContentChunk + UsageChunk[..40], UsageChunk[40..] + "data: [DO", "NE]\n\n");

        Assert.Equal(ContentChunk + Done, output);
        Assert.Equal(18, observer.Usage!.Value.TotalTokens);
    }

    [Fact]
    public async Task Crlf_framed_events_are_recognised()
    {
        var crlf = ContentChunk.Replace("\n", "\r\n", StringComparison.Ordinal) + UsageChunk.Replace("\n", "\r\n", StringComparison.Ordinal) + "data: [DONE]\r\n\r\n";
        var (output, observer) = await RunAsync(true, crlf);

        Assert.DoesNotContain("prompt_tokens", output, StringComparison.Ordinal);
        Assert.EndsWith("[DONE]\r\n\r\n", output, StringComparison.Ordinal);
        Assert.NotNull(observer.Usage);
    }

    [Fact]
    public async Task A_stream_that_ends_without_done_ends_with_an_error_event()
    {
        var (output, observer) = await RunAsync(false, ContentChunk, "data: {\"id\":\"c1\",\"cho");

        Assert.StartsWith(ContentChunk + "data: {\"error\":{", output, StringComparison.Ordinal);
        Assert.Contains("\"code\":\"upstream_stream_truncated\"", output, StringComparison.Ordinal);
        Assert.EndsWith("}}\n\n", output, StringComparison.Ordinal);
        Assert.Equal(FailureKind.UpstreamStreamTruncated, observer.Failure);
    }

    [Fact]
    public async Task A_broken_connection_ends_with_an_error_event()
    {
        var observer = new SseResponseObserver(false, TimeSpan.FromSeconds(30), TimeProvider.System, CancellationToken.None);
        observer.Attach(new PieceStream([Encoding.UTF8.GetBytes(ContentChunk)], failAtEnd: true));
        var output = new MemoryStream();
        await observer.CopyToAsync(output);

        var text = Encoding.UTF8.GetString(output.ToArray());
        Assert.StartsWith(ContentChunk, text, StringComparison.Ordinal);
        Assert.Contains("upstream_stream_interrupted", text, StringComparison.Ordinal);
    }

    /// <summary>Returns one piece per read; optionally fails like a reset connection after the last.</summary>
    private sealed class PieceStream(IEnumerable<byte[]> pieces, bool failAtEnd = false) : Stream
    {
        private readonly Queue<byte[]> _pieces = new(pieces);

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (!_pieces.TryDequeue(out var piece))
            {
                return failAtEnd ? throw new IOException("connection reset") : ValueTask.FromResult(0);
            }

            piece.CopyTo(buffer.Span);
            return ValueTask.FromResult(piece.Length);
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
