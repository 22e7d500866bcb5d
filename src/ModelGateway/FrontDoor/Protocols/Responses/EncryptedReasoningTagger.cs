using System.Buffers;
using System.IO.Pipelines;
using ModelGateway.Pipeline;
using ModelGateway.Providers.OpenAi;

namespace ModelGateway.FrontDoor.Protocols.Responses;

/// <summary>
/// Passes a native Responses answer on with every <c>encrypted_content</c> tagged with the provider that made it
/// (<see cref="EncryptedReasoningTag"/>), so the client's next turn can give it back to that provider only. Whole
/// events go on at each flush (a value is never split), a JSON body once complete; bytes without encrypted content
/// go as they came.
/// </summary>
internal sealed class EncryptedReasoningTagger : ResponseSink
{
    private readonly ResponseSink _inner;
    private readonly byte[] _tag;
    private readonly ArrayBufferWriter<byte> _pending = new(4096);
    private readonly HeldWriter _writer;
    private bool _json;
    private bool _started;

    public EncryptedReasoningTagger(ResponseSink inner, byte[] tag)
    {
        _inner = inner;
        _tag = tag;
        _writer = new HeldWriter(this);
    }

    public override bool HasStarted => _started;

    public override CancellationToken Aborted => _inner.Aborted;

    public override PipeWriter Writer => _writer;

    public override IHeaderDictionary Headers => _inner.Headers;

    public override void Start(int status, string contentType)
    {
        _started = true;
        _json = !contentType.StartsWith("text/event-stream", StringComparison.OrdinalIgnoreCase);
        _inner.Start(status, contentType);
    }

    public override ValueTask FlushAsync() => PassAsync(final: false);

    public override void Reset()
    {
        _pending.ResetWrittenCount();
        _inner.Reset();
    }

    public override async ValueTask CompleteAsync()
    {
        if (HasStarted)
        {
            await PassAsync(final: true);
        }

        await _inner.CompleteAsync();
    }

    private ValueTask PassAsync(bool final) =>
        Pass(final) && !_inner.Aborted.IsCancellationRequested ? _inner.FlushAsync() : ValueTask.CompletedTask;

    /// <summary>Writes what may go now (complete events, or everything at the end) to the inner sink; false when nothing could.</summary>
    private bool Pass(bool final)
    {
        var pending = _pending.WrittenSpan;
        var send = final ? pending.Length : _json ? 0 : pending.LastIndexOf("\n\n"u8) is var end and >= 0 ? end + 2 : 0;
        if (send == 0)
        {
            return false;
        }

        var window = pending[..send];
        if (EncryptedReasoningTag.Mentions(window))
        {
            EncryptedReasoningTag.Insert(window, _tag, _inner.Writer);
        }
        else
        {
            _inner.Writer.Write(window);
        }

        var rest = pending[send..].ToArray();
        _pending.ResetWrittenCount();
        _pending.Write(rest);
        return true;
    }

    private sealed class HeldWriter(EncryptedReasoningTagger owner) : PipeWriter
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
