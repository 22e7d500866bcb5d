using System.Buffers;
using System.IO.Pipelines;

namespace ModelGateway.FrontDoor.Protocols.AnthropicMessages;

/// <summary>
/// The pipe an adapter writes canonical output into: bytes wait here until the renderer consumes them, and
/// flushing hands them over (<see cref="Flushed"/>). The consumed prefix is dropped, so only an incomplete event stays.
/// </summary>
internal sealed class PendingBytes : PipeWriter
{
    private readonly Func<ValueTask> _flushed;
    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(4096);
    private int _length;

    public PendingBytes(Func<ValueTask> flushed) => _flushed = flushed;

    public ReadOnlySpan<byte> Written => _buffer.AsSpan(0, _length);

    /// <summary>Forgets the first <paramref name="count"/> bytes.</summary>
    public void Consume(int count)
    {
        _buffer.AsSpan(count, _length - count).CopyTo(_buffer);
        _length -= count;
    }

    public void Clear() => _length = 0;

    public override void Advance(int bytes) => _length += bytes;

    public override Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsMemory(_length);
    }

    public override Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsSpan(_length);
    }

    public override async ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default)
    {
        await _flushed();
        return new FlushResult(isCanceled: false, isCompleted: false);
    }

    public override void CancelPendingFlush()
    {
    }

    public override void Complete(Exception? exception = null)
    {
        var buffer = Interlocked.Exchange(ref _buffer, []);
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        _length = 0;
    }

    private void Ensure(int sizeHint)
    {
        var needed = _length + Math.Max(sizeHint, 256);
        if (needed <= _buffer.Length)
        {
            return;
        }

        var larger = ArrayPool<byte>.Shared.Rent(Math.Max(needed, _buffer.Length * 2));
        _buffer.AsSpan(0, _length).CopyTo(larger);
        if (_buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
        }

        _buffer = larger;
    }
}
