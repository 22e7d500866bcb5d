using System.Buffers;
using System.IO.Pipelines;
using ModelGateway.Pipeline;

namespace ModelGateway.FrontDoor.Protocols.Responses;

/// <summary>
/// A sink in front of another that holds what the adapter writes and passes it on in whole pieces: at each flush the
/// complete SSE events written so far, and a JSON body only once it is complete. A subclass sees each piece before
/// it goes (<see cref="PassOnAsync"/>), so it never has to deal with an event or a value split in two.
/// </summary>
internal abstract class WholeEventSink : ResponseSink
{
    private readonly ArrayBufferWriter<byte> _pending = new(4096);
    private readonly HeldWriter _writer;
    private bool _started;

    protected WholeEventSink(ResponseSink inner)
    {
        Inner = inner;
        _writer = new HeldWriter(this);
    }

    /// <summary>The sink the pieces go to.</summary>
    protected ResponseSink Inner { get; }

    /// <summary>Whether the answer is a JSON body (passed on whole at the end) rather than an event stream.</summary>
    protected bool IsJson { get; private set; }

    public override bool HasStarted => _started;

    public override CancellationToken Aborted => Inner.Aborted;

    public override PipeWriter Writer => _writer;

    public override IHeaderDictionary Headers => Inner.Headers;

    public override void Start(int status, string contentType)
    {
        _started = true;
        IsJson = !contentType.StartsWith("text/event-stream", StringComparison.OrdinalIgnoreCase);
        Inner.Start(status, contentType);
    }

    public override ValueTask FlushAsync() => PassAsync(final: false);

    public override void Reset()
    {
        _pending.ResetWrittenCount();
        Inner.Reset();
    }

    public override ValueTask CompleteAsync() => HasStarted ? PassAsync(final: true) : ValueTask.CompletedTask;

    /// <summary>Writes <paramref name="piece"/> (whole events, or the whole body when <paramref name="final"/>) to <see cref="Inner"/>.</summary>
    protected abstract ValueTask PassOnAsync(ReadOnlyMemory<byte> piece, bool final);

    /// <summary>Passes on what may go now: the complete events, or everything at the end; keeps the rest.</summary>
    private async ValueTask PassAsync(bool final)
    {
        var pending = _pending.WrittenMemory;
        var send = final ? pending.Length : IsJson ? 0 : pending.Span.LastIndexOf("\n\n"u8) is var end and >= 0 ? end + 2 : 0;
        if (send == 0)
        {
            return;
        }

        await PassOnAsync(pending[..send], final);
        var rest = pending.Span[send..].ToArray();
        _pending.ResetWrittenCount();
        _pending.Write(rest);
        if (!Inner.Aborted.IsCancellationRequested)
        {
            await Inner.FlushAsync();
        }
    }

    private sealed class HeldWriter(WholeEventSink owner) : PipeWriter
    {
        public override void Advance(int bytes) => owner._pending.Advance(bytes);

        public override Memory<byte> GetMemory(int sizeHint = 0) => owner._pending.GetMemory(sizeHint);

        public override Span<byte> GetSpan(int sizeHint = 0) => owner._pending.GetSpan(sizeHint);

        public override async ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default)
        {
            await owner.PassAsync(final: false);
            return new FlushResult(isCanceled: false, isCompleted: false);
        }

        public override void CancelPendingFlush()
        {
        }

        public override void Complete(Exception? exception = null)
        {
        }
    }
}
