namespace ModelGateway.Providers.Translation;

/// <summary>
/// Wraps a provider's event-stream body and counts the bytes of the current event (since the last blank line,
/// with <c>\n</c>, <c>\r\n</c> or <c>\r</c> line ends). An event that reaches the bound throws
/// <see cref="UpstreamBodyRejectedException"/>, so the SSE parser never buffers more than the bound.
/// </summary>
internal sealed class BoundedEventStream : Stream
{
    private readonly Stream _inner;
    private readonly int _maxEventBytes;
    private int _eventBytes;
    private int _lineBytes;
    private bool _afterCr;

    public BoundedEventStream(Stream inner, int maxEventBytes)
    {
        _inner = inner;
        _maxEventBytes = maxEventBytes;
    }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = await _inner.ReadAsync(buffer, cancellationToken);
        Count(buffer.Span[..read]);
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count)
    {
        var read = _inner.Read(buffer, offset, count);
        Count(buffer.AsSpan(offset, read));
        return read;
    }

    private void Count(ReadOnlySpan<byte> bytes)
    {
        while (!bytes.IsEmpty)
        {
            var end = bytes.IndexOfAny((byte)'\r', (byte)'\n');
            var text = end < 0 ? bytes.Length : end;
            if (text > 0)
            {
                _afterCr = false;
                _lineBytes += text;
                _eventBytes += text;
                if (_eventBytes >= _maxEventBytes)
                {
                    throw new UpstreamBodyRejectedException("An upstream stream event exceeded the size bound.");
                }
            }

            if (end < 0)
            {
                return;
            }

            var terminator = bytes[end];
            bytes = bytes[(end + 1)..];
            if (terminator == '\n' && _afterCr)
            {
                // The second half of a CRLF line end.
                _afterCr = false;
                _eventBytes++;
                continue;
            }

            _afterCr = terminator == '\r';
            if (_lineBytes == 0)
            {
                // An empty line ends the event.
                _eventBytes = 0;
            }
            else
            {
                _lineBytes = 0;
                _eventBytes++;
            }
        }
    }

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
            _inner.Dispose();
        }

        base.Dispose(disposing);
    }
}
