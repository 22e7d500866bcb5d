using System.Buffers;
using ModelGateway.Accounting;

namespace ModelGateway.Providers.OpenAi;

/// <summary>
/// Observes a non-streamed JSON response: bytes pass straight through while a copy accumulates in a pooled
/// buffer, and the usage object is read from that copy when the body ends.
/// </summary>
internal sealed class JsonResponseObserver : ResponseObserver
{
    /// <summary>Responses larger than this are forwarded but not inspected (their usage is then unknown).</summary>
    private const int MaxCaptureBytes = 8 * 1024 * 1024;

    private byte[] _capture = ArrayPool<byte>.Shared.Rent(4096);
    private int _captured;
    private bool _overflowed;

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = await Inner.ReadAsync(buffer, cancellationToken);
        if (read == 0)
        {
            if (!_overflowed && UsageJsonReader.TryRead(_capture.AsSpan(0, _captured), out var usage))
            {
                Usage = usage;
            }

            return 0;
        }

        Capture(buffer.Span[..read]);
        return read;
    }

    /// <summary>The response body as text, for content logging; null when it was too large to keep.</summary>
    public string? CapturedText() => _overflowed ? null : System.Text.Encoding.UTF8.GetString(_capture, 0, _captured);

    private void Capture(ReadOnlySpan<byte> bytes)
    {
        if (_overflowed)
        {
            return;
        }

        if (_captured + bytes.Length > MaxCaptureBytes)
        {
            _overflowed = true;
            return;
        }

        if (_captured + bytes.Length > _capture.Length)
        {
            var larger = ArrayPool<byte>.Shared.Rent(Math.Max(_capture.Length * 2, _captured + bytes.Length));
            _capture.AsSpan(0, _captured).CopyTo(larger);
            ArrayPool<byte>.Shared.Return(_capture);
            _capture = larger;
        }

        bytes.CopyTo(_capture.AsSpan(_captured));
        _captured += bytes.Length;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            var capture = Interlocked.Exchange(ref _capture, []);
            if (capture.Length > 0)
            {
                ArrayPool<byte>.Shared.Return(capture);
            }
        }

        base.Dispose(disposing);
    }
}
