using System.Buffers;
using ModelGateway.Requests;

namespace ModelGateway.Providers.OpenAi;

/// <summary>
/// Observes a non-streamed JSON response. The body is held in a pooled buffer until it has ended and been checked
/// to be one JSON object, and only then passed on, so a broken 2xx (truncated JSON, an HTML page, random bytes,
/// <c>null</c>) never reaches the client: the observer refuses it and the dispatcher tries the next deployment.
/// A body larger than <see cref="MaxHeldBytes"/> (a big embeddings batch) is checked as far as it is held, then
/// passed on while the check continues; if it turns out broken after that, the client connection is aborted.
/// The usage object is read from the held body.
/// </summary>
internal sealed class JsonResponseObserver : ResponseObserver
{
    /// <summary>Bodies up to this size are checked whole before the first byte goes out (and their usage read).</summary>
    public const int MaxHeldBytes = 8 * 1024 * 1024;

    private readonly TimeSpan _readTimeout;
    private readonly TimeProvider _timeProvider;
    private readonly ResponseJsonValidator _validator = new();
    private byte[] _held = ArrayPool<byte>.Shared.Rent(4096);
    private int _length;
    private int _emitted;
    private bool _checked;
    private bool _ended;
    private bool _heldWhole;

    /// <param name="readTimeout">The longest wait for the next bytes of the body while it is held.</param>
    /// <param name="timeProvider">The clock of that wait.</param>
    public JsonResponseObserver(TimeSpan readTimeout, TimeProvider timeProvider)
    {
        _readTimeout = readTimeout;
        _timeProvider = timeProvider;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (!_checked)
        {
            await HoldAndCheckAsync(cancellationToken);
        }

        if (_emitted < _length)
        {
            var count = Math.Min(buffer.Length, _length - _emitted);
            _held.AsSpan(_emitted, count).CopyTo(buffer.Span);
            _emitted += count;
            return count;
        }

        if (_ended)
        {
            return 0;
        }

        // Larger than the hold: pass the rest on as it comes, still checking it.
        var read = await Inner.ReadAsync(buffer, cancellationToken);
        if (!_validator.Feed(buffer.Span[..read], isFinal: read == 0))
        {
            Failure = FailureKind.UpstreamInvalidBody;
            throw new UpstreamBodyRejectedException("The upstream response body is not a valid JSON object.");
        }

        _ended = read == 0;
        return read;
    }

    /// <summary>The response body as text, for content logging; null when it was too large to hold.</summary>
    public string? CapturedText() => _heldWhole ? System.Text.Encoding.UTF8.GetString(_held, 0, _length) : null;

    private async ValueTask HoldAndCheckAsync(CancellationToken cancellationToken)
    {
        _checked = true;
        using var idle = new CancellationTokenSource(Timeout.InfiniteTimeSpan, _timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(idle.Token, cancellationToken);
        try
        {
            while (_length < MaxHeldBytes)
            {
                if (_length == _held.Length)
                {
                    Grow();
                }

                idle.CancelAfter(_readTimeout);
                var read = await Inner.ReadAsync(_held.AsMemory(_length, Math.Min(_held.Length, MaxHeldBytes) - _length), linked.Token);
                if (read == 0)
                {
                    _ended = true;
                    break;
                }

                _length += read;
            }
        }
        catch (OperationCanceledException) when (idle.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            Reject(UpstreamFailures.Timeout(), "The upstream response body stalled before it was complete.");
        }

        if (!_validator.Feed(_held.AsSpan(0, _length), isFinal: _ended))
        {
            Reject(UpstreamFailures.InvalidBody(), "The upstream response body is not a valid JSON object.");
        }

        _heldWhole = _ended;
        if (_ended && UsageJsonReader.TryRead(_held.AsSpan(0, _length), UsageFields, out var usage))
        {
            Usage = usage;
        }
    }

    private void Reject(UpstreamOutcome outcome, string reason)
    {
        Failure = outcome.FailureKind;
        Rejection = outcome;
        _length = _emitted = 0;
        throw new UpstreamBodyRejectedException(reason);
    }

    private void Grow()
    {
        var larger = ArrayPool<byte>.Shared.Rent(Math.Min(_held.Length * 2, MaxHeldBytes));
        _held.AsSpan(0, _length).CopyTo(larger);
        ArrayPool<byte>.Shared.Return(_held);
        _held = larger;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _validator.Dispose();
            var held = Interlocked.Exchange(ref _held, []);
            if (held.Length > 0)
            {
                ArrayPool<byte>.Shared.Return(held);
            }
        }

        base.Dispose(disposing);
    }
}
