using ModelGateway.Requests;

namespace ModelGateway.Providers.OpenAi;

/// <summary>
/// A read-only stream that sits between the upstream response body and YARP's copy loop. It passes bytes on as
/// they arrive and notes what the gateway needs from them (usage), without holding back more than it must.
/// </summary>
internal abstract class ResponseObserver : Stream
{
    private Stream? _inner;

    /// <summary>Usage the upstream reported, once seen.</summary>
    public TokenUsage? Usage { get; protected set; }

    /// <summary>The provider dialect's own usage fields to read besides OpenAI's (e.g. DeepSeek's cache hits).</summary>
    public UsageFields UsageFields { get; init; }

    /// <summary>Set when the upstream body broke off or misbehaved; a bounded label, for logs.</summary>
    public FailureKind Failure { get; protected set; }

    /// <summary>
    /// Set when the observer refused the body before any byte reached the client (it then throws
    /// <see cref="UpstreamBodyRejectedException"/> to stop the copy): the outcome to report instead, so another
    /// deployment can be tried.
    /// </summary>
    public UpstreamOutcome? Rejection { get; protected set; }

    /// <summary>Completion tokens estimated from what passed, for when the usage never arrives (a cut stream); 0 when unknown.</summary>
    public int EstimatedCompletionTokens { get; protected set; }

    protected Stream Inner => _inner ?? throw new InvalidOperationException("The observer is not attached to a response body.");

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public void Attach(Stream inner) => _inner = inner;

    public abstract override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default);

    public override int Read(byte[] buffer, int offset, int count) =>
        ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _inner?.Dispose();
        }

        base.Dispose(disposing);
    }
}
