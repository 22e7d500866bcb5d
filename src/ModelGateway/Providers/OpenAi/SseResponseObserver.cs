using System.Buffers;
using System.Text.Json;
using ModelGateway.Requests;

namespace ModelGateway.Providers.OpenAi;

/// <summary>
/// Observes an OpenAI server-sent-event stream on its way to the client. Each complete event is passed on as soon
/// as its terminating blank line arrives (only an incomplete event is held back), so the client sees chunks at the
/// upstream's pace. Along the way it reads the usage chunk, drops it when the client did not ask for it, and turns
/// a stream that breaks, stalls or ends without <c>[DONE]</c> into a final <c>data: {"error":...}</c> event
/// instead of a silently truncated stream.
/// </summary>
internal sealed class SseResponseObserver : ResponseObserver
{
    private const int InitialBufferSize = 16 * 1024;

    private readonly bool _dropUsageChunk;
    private readonly bool _dropEmptyChoiceChunks;
    private readonly TimeSpan _idleTimeout;
    private readonly CancellationToken _clientAborted;
    private readonly CancellationTokenSource _idle;
    private readonly TimeProvider _timeProvider;
    private CancellationTokenRegistration _linkedCancellation;
    private bool _linked;

    // _buffer[0.._ready) holds complete events to pass on, of which [0.._emitted) are already passed;
    // _buffer[_ready.._length) holds the start of an event whose end has not arrived yet.
    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(InitialBufferSize);
    private int _emitted;
    private int _ready;
    private int _length;
    private bool _sawDone;
    private bool _finished;

    /// <param name="dropEmptyChoiceChunks">Drop chunks with no choices and no usage (Azure's content-filter preamble).</param>
    public SseResponseObserver(bool dropUsageChunk, TimeSpan idleTimeout, TimeProvider timeProvider, CancellationToken clientAborted, bool dropEmptyChoiceChunks = false)
    {
        _dropUsageChunk = dropUsageChunk;
        _dropEmptyChoiceChunks = dropEmptyChoiceChunks;
        _idleTimeout = idleTimeout;
        _clientAborted = clientAborted;
        _idle = new CancellationTokenSource(Timeout.InfiniteTimeSpan, timeProvider);
        _timeProvider = timeProvider;
    }

    /// <summary>The largest single event accepted; a larger one ends the stream (<c>Limits:MaxStreamEventBytes</c>).</summary>
    public int MaxEventBytes { get; init; } = Configuration.GatewayConfig.DefaultMaxStreamEventBytes;

    /// <summary>
    /// The stream is OpenAI Responses events (native pass-through): it ends with a terminal <c>response.*</c> event
    /// instead of <c>[DONE]</c>, usage sits in that event's response, and a break is told with an <c>error</c> event.
    /// </summary>
    public bool ResponsesEvents { get; init; }

    /// <summary>When the first event was passed on to the client (a <see cref="TimeProvider"/> timestamp); 0 before.</summary>
    public long FirstEventTimestamp { get; private set; }

    public override async ValueTask<int> ReadAsync(Memory<byte> destination, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            if (_emitted < _ready)
            {
                return Emit(destination.Span);
            }

            if (_finished)
            {
                return 0;
            }

            await FillAsync(cancellationToken);
        }
    }

    private int Emit(Span<byte> destination)
    {
        if (FirstEventTimestamp == 0)
        {
            FirstEventTimestamp = _timeProvider.GetTimestamp();
        }

        var count = Math.Min(destination.Length, _ready - _emitted);
        _buffer.AsSpan(_emitted, count).CopyTo(destination);
        _emitted += count;
        if (_emitted == _ready)
        {
            // Everything complete has gone out: move the partial event to the front.
            _buffer.AsSpan(_ready, _length - _ready).CopyTo(_buffer);
            _length -= _ready;
            _ready = _emitted = 0;
        }

        return count;
    }

    private async ValueTask FillAsync(CancellationToken cancellationToken)
    {
        // Here every complete event has gone out, so the buffer holds only the start of one unfinished event.
        if (_length >= MaxEventBytes)
        {
            EventTooLarge();
            return;
        }

        if (_length == _buffer.Length)
        {
            var larger = ArrayPool<byte>.Shared.Rent(Math.Min(_buffer.Length * 2, MaxEventBytes));
            _buffer.AsSpan(0, _length).CopyTo(larger);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = larger;
        }

        if (!_linked)
        {
            _linked = true;
            _linkedCancellation = cancellationToken.UnsafeRegister(static state => ((CancellationTokenSource)state!).Cancel(), _idle);
        }

        int read;
        try
        {
            _idle.CancelAfter(_idleTimeout);
            read = await Inner.ReadAsync(_buffer.AsMemory(_length, Math.Min(_buffer.Length, MaxEventBytes) - _length), _idle.Token);
        }
        catch (Exception) when (_clientAborted.IsCancellationRequested || cancellationToken.IsCancellationRequested)
        {
            // The client went away (or the whole request was cancelled): nobody to tell, stop here.
            throw;
        }
        catch (OperationCanceledException)
        {
            Finish(FailureKind.UpstreamIdleTimeout);
            return;
        }
        catch (Exception ex) when (ex is IOException or HttpRequestException)
        {
            Finish(FailureKind.UpstreamStreamInterrupted);
            return;
        }

        if (read == 0)
        {
            if (!_sawDone)
            {
                Finish(FailureKind.UpstreamStreamTruncated);
            }
            else
            {
                _finished = true;
            }

            return;
        }

        _length += read;
        ScanCompleteEvents();
    }

    /// <summary>Advances <see cref="_ready"/> over every complete event, dropping the ones the client must not see.</summary>
    private void ScanCompleteEvents()
    {
        while (true)
        {
            var pending = _buffer.AsSpan(_ready, _length - _ready);
            var eventLength = CompleteEventLength(pending);
            if (eventLength == 0)
            {
                return;
            }

            if (KeepEvent(pending[..eventLength]))
            {
                _ready += eventLength;
            }
            else
            {
                pending[eventLength..].CopyTo(pending);
                _length -= eventLength;
            }
        }
    }

    /// <summary>The length of the first event including its blank-line terminator, or 0 when it is not complete.</summary>
    private static int CompleteEventLength(ReadOnlySpan<byte> pending)
    {
        var searched = 0;
        while (true)
        {
            var newline = pending[searched..].IndexOf((byte)'\n');
            if (newline < 0)
            {
                return 0;
            }

            var next = searched + newline + 1;
            if (next < pending.Length && pending[next] == '\n')
            {
                return next + 1;
            }

            if (next + 1 < pending.Length && pending[next] == '\r' && pending[next + 1] == '\n')
            {
                return next + 2;
            }

            searched = next;
        }
    }

    private bool KeepEvent(ReadOnlySpan<byte> sseEvent)
    {
        var data = sseEvent.IndexOf("data:"u8);
        if (data < 0)
        {
            return true;
        }

        var payload = sseEvent[(data + 5)..].TrimStart((byte)' ');
        var endOfLine = payload.IndexOfAny((byte)'\r', (byte)'\n');
        if (endOfLine >= 0)
        {
            payload = payload[..endOfLine];
        }

        if (payload.StartsWith("[DONE]"u8))
        {
            _sawDone = true;
            return true;
        }

        if (ResponsesEvents)
        {
            return KeepResponsesEvent(payload);
        }

        if (payload.IndexOf("\"choices\":[]"u8) < 0)
        {
            // OpenAI-compatible servers send about one token per chunk: the estimate if the usage chunk never comes.
            EstimatedCompletionTokens++;
        }

        if (!HasUsageObject(payload) || !UsageJsonReader.TryRead(payload, UsageFields, out var usage))
        {
            return !(_dropEmptyChoiceChunks && payload.IndexOf("\"choices\":[]"u8) >= 0);
        }

        Usage = usage;

        // The extra usage-only chunk we asked for has an empty choices array; the client did not ask for it.
        return !(_dropUsageChunk && payload.IndexOf("\"choices\":[]"u8) >= 0);
    }

    private bool KeepResponsesEvent(ReadOnlySpan<byte> payload)
    {
        if (payload.IndexOf("\"response.output_text.delta\""u8) >= 0 || payload.IndexOf("\"response.function_call_arguments.delta\""u8) >= 0)
        {
            EstimatedCompletionTokens++;
        }
        else if (payload.IndexOf("\"type\":\"response.completed\""u8) >= 0
            || payload.IndexOf("\"type\":\"response.incomplete\""u8) >= 0
            || payload.IndexOf("\"type\":\"response.failed\""u8) >= 0)
        {
            _sawDone = true;
            if (UsageJsonReader.TryRead(payload, out var usage))
            {
                Usage = usage;
            }
        }

        return true;
    }

    private static bool HasUsageObject(ReadOnlySpan<byte> payload)
    {
        var at = payload.IndexOf("\"usage\":"u8);
        if (at < 0)
        {
            return false;
        }

        var value = payload[(at + 8)..].TrimStart(" \t"u8);
        return !value.IsEmpty && value[0] == '{';
    }

    /// <summary>
    /// An event grew past the bound: its bytes are dropped and the large buffer returned at once. Before anything
    /// reached the client the body is refused (another deployment may serve); after, the stream ends with an error
    /// event. Either way the upstream response is disposed unread, which closes its connection.
    /// </summary>
    private void EventTooLarge()
    {
        _length = _ready = _emitted = 0;
        if (_buffer.Length > InitialBufferSize)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = ArrayPool<byte>.Shared.Rent(InitialBufferSize);
        }

        Finish(FailureKind.UpstreamEventTooLarge);
    }

    /// <summary>
    /// Ends the stream by the shared rules (<see cref="StreamBreaks"/>): before the first event reached the client
    /// the body is refused, so the dispatcher falls back as on every other adapter; after it, an OpenAI error event
    /// takes the place of whatever incomplete event was pending.
    /// </summary>
    private void Finish(FailureKind kind)
    {
        Failure = kind;
        _finished = true;
        _length = _ready;
        if (FirstEventTimestamp == 0 && _ready == 0)
        {
            Rejection = StreamBreaks.BeforeFirstEvent(kind, _idleTimeout, MaxEventBytes);
            throw new UpstreamBodyRejectedException("The upstream stream broke before its first event.");
        }

        var error = StreamBreaks.ErrorFor(kind, _idleTimeout, MaxEventBytes);
        var writer = new ArrayBufferWriter<byte>(256);
        writer.Write(ResponsesEvents ? "event: error\ndata: "u8 : "data: "u8);
        using (var json = new Utf8JsonWriter(writer))
        {
            if (ResponsesEvents)
            {
                // OpenAI's own shape for a Responses stream error (the sequence number is unknown here).
                json.WriteStartObject();
                json.WriteString("type"u8, "error"u8);
                json.WritePropertyName("error"u8);
                json.WriteStartObject();
                json.WriteString("type"u8, error.Type);
                json.WriteString("code"u8, error.Code);
                json.WriteString("message"u8, error.Message);
                json.WriteNull("param"u8);
                json.WriteEndObject();
                json.WriteEndObject();
            }
            else
            {
                error.WriteEnvelope(json);
            }
        }

        writer.Write("\n\n"u8);
        if (_length + writer.WrittenCount > _buffer.Length)
        {
            var larger = ArrayPool<byte>.Shared.Rent(_length + writer.WrittenCount);
            _buffer.AsSpan(0, _length).CopyTo(larger);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = larger;
        }

        writer.WrittenSpan.CopyTo(_buffer.AsSpan(_length));
        _length += writer.WrittenCount;
        _ready = _length;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _linkedCancellation.Dispose();
            _idle.Dispose();
            var buffer = Interlocked.Exchange(ref _buffer, []);
            if (buffer.Length > 0)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }

        base.Dispose(disposing);
    }
}
