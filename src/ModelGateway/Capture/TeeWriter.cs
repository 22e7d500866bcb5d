using System.Buffers;
using System.IO.Pipelines;

namespace ModelGateway.Capture;

/// <summary>
/// A pipe writer that passes every byte to the sink's own writer and keeps a copy, up to a bound. It hands out the
/// inner writer's memory, so the bytes are written once where they go and copied once here when advanced; past the
/// bound the copy is dropped and <see cref="Overflowed"/> is set, while the answer itself flows on untouched.
/// </summary>
internal sealed class TeeWriter : PipeWriter
{
    private readonly PipeWriter _inner;
    private readonly int _maxBytes;
    private Memory<byte> _lent;
    private byte[] _copy = [];
    private int _length;

    public TeeWriter(PipeWriter inner, int maxBytes)
    {
        _inner = inner;
        _maxBytes = maxBytes;
    }

    public bool Overflowed { get; private set; }

    /// <summary>The bytes copied so far (empty once overflowed).</summary>
    public ReadOnlySpan<byte> Copied => _copy.AsSpan(0, _length);

    public override bool CanGetUnflushedBytes => _inner.CanGetUnflushedBytes;

    public override long UnflushedBytes => _inner.UnflushedBytes;

    public override Memory<byte> GetMemory(int sizeHint = 0) => _lent = _inner.GetMemory(sizeHint);

    public override Span<byte> GetSpan(int sizeHint = 0) => GetMemory(sizeHint).Span;

    public override void Advance(int bytes)
    {
        Keep(_lent.Span[..bytes]);
        _lent = default;
        _inner.Advance(bytes);
    }

    public override ValueTask<FlushResult> WriteAsync(ReadOnlyMemory<byte> source, CancellationToken cancellationToken = default)
    {
        Keep(source.Span);
        return _inner.WriteAsync(source, cancellationToken);
    }

    public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default) => _inner.FlushAsync(cancellationToken);

    public override void CancelPendingFlush() => _inner.CancelPendingFlush();

    public override void Complete(Exception? exception = null) => _inner.Complete(exception);

    /// <summary>Forgets what was copied (the attempt's answer was discarded).</summary>
    public void Clear()
    {
        _length = 0;
        Overflowed = false;
    }

    /// <summary>Takes the copy: the caller owns the pooled array (return it to <see cref="ArrayPool{T}.Shared"/>) and its length.</summary>
    public (byte[] Buffer, int Length) Take()
    {
        var taken = (_copy, _length);
        _copy = [];
        _length = 0;
        return taken;
    }

    /// <summary>Returns the copy's buffer to the pool, if the copy was not taken.</summary>
    public void Release()
    {
        var buffer = Interlocked.Exchange(ref _copy, []);
        _length = 0;
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private void Keep(ReadOnlySpan<byte> bytes)
    {
        if (Overflowed || bytes.IsEmpty)
        {
            return;
        }

        if (_length + bytes.Length > _maxBytes)
        {
            Overflowed = true;
            Release();
            return;
        }

        if (_length + bytes.Length > _copy.Length)
        {
            var larger = ArrayPool<byte>.Shared.Rent(Math.Min(_maxBytes, Math.Max(_length + bytes.Length, Math.Max(4096, _copy.Length * 2))));
            _copy.AsSpan(0, _length).CopyTo(larger);
            if (_copy.Length > 0)
            {
                ArrayPool<byte>.Shared.Return(_copy);
            }

            _copy = larger;
        }

        bytes.CopyTo(_copy.AsSpan(_length));
        _length += bytes.Length;
    }
}
