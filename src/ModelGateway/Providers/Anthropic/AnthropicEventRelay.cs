using System.Buffers;
using System.Text.Json;
using ModelGateway.Providers.Translation;
using ModelGateway.Requests;

namespace ModelGateway.Providers.Anthropic;

/// <summary>
/// Relays an Anthropic event stream to a Messages client byte for byte, each complete event as soon as it arrived
/// (only an unfinished event is held back). Along the way it reads the usage from <c>message_start</c> and
/// <c>message_delta</c> (cache writes and reads included). An <c>error</c> event before anything was sent is a
/// failure the dispatcher may fall back from; a stream that breaks or ends without <c>message_stop</c> after the
/// first event ends with an Anthropic <c>error</c> event rather than silently.
/// </summary>
internal sealed class AnthropicEventRelay
{
    private readonly TimeProvider _timeProvider;
    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
    private int _length;
    private int _scanned;
    private int _eventsEnd;
    private string? _eventName;
    private bool _sawStop;
    private UpstreamOutcome? _errorEvent;

    public AnthropicEventRelay(TimeProvider timeProvider) => _timeProvider = timeProvider;

    public TokenUsage? Usage { get; private set; }

    /// <summary>When the first event went to the client (a <see cref="TimeProvider"/> timestamp); 0 before.</summary>
    public long FirstEventAt { get; private set; }

    public async Task<UpstreamOutcome> RelayAsync(UpstreamCall call, HttpResponseMessage response)
    {
        try
        {
            return await RelayCoreAsync(call, response);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = [];
        }
    }

    private async Task<UpstreamOutcome> RelayCoreAsync(UpstreamCall call, HttpResponseMessage response)
    {
        var sink = call.Sink;
        var aborted = call.Aborted;
        var idleTimeout = call.Deployment.Provider.ResponseTimeout;
        using var idle = new CancellationTokenSource(Timeout.InfiniteTimeSpan, _timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(idle.Token, aborted);
        var started = false;
        var breakKind = FailureKind.None;
        try
        {
            idle.CancelAfter(idleTimeout);
            await using var body = new BoundedEventStream(await response.Content.ReadAsStreamAsync(linked.Token), call.MaxStreamEventBytes);
            while (true)
            {
                if (_length == _buffer.Length)
                {
                    Grow();
                }

                var read = await body.ReadAsync(_buffer.AsMemory(_length), linked.Token);
                if (read == 0)
                {
                    break;
                }

                idle.CancelAfter(idleTimeout);
                _length += read;
                ScanLines();
                if (!started && _errorEvent is { } error)
                {
                    // The upstream refused before saying anything: another deployment may serve.
                    return error;
                }

                if (_eventsEnd > 0)
                {
                    if (!started)
                    {
                        StartSink(sink, response);
                        started = true;
                        FirstEventAt = _timeProvider.GetTimestamp();
                    }

                    await SendCompleteEventsAsync(sink);
                }

                if (_sawStop || _errorEvent is not null)
                {
                    break;
                }
            }
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            return UpstreamOutcome.Abandoned(Usage);
        }
        catch (OperationCanceledException)
        {
            breakKind = FailureKind.UpstreamIdleTimeout;
        }
        catch (Exception ex) when (ex is IOException or HttpRequestException)
        {
            if (aborted.IsCancellationRequested)
            {
                return UpstreamOutcome.Abandoned(Usage);
            }

            breakKind = FailureKind.UpstreamStreamInterrupted;
        }
        catch (UpstreamBodyRejectedException)
        {
            breakKind = FailureKind.UpstreamEventTooLarge;
        }

        if (breakKind == FailureKind.None && !_sawStop && _errorEvent is null)
        {
            breakKind = FailureKind.UpstreamStreamTruncated;
        }

        if (breakKind == FailureKind.None)
        {
            return UpstreamOutcome.Success(Usage, _errorEvent is null ? FailureKind.None : FailureKind.UpstreamStreamError);
        }

        if (!started)
        {
            return StreamBreaks.BeforeFirstEvent(breakKind, idleTimeout, call.MaxStreamEventBytes);
        }

        var message = StreamBreaks.ErrorFor(breakKind, idleTimeout, call.MaxStreamEventBytes).Message;
        try
        {
            // What follows the last complete event is an unfinished one: the client gets an error event instead.
            WriteErrorEvent(sink, message);
            await sink.FlushAsync();
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException && aborted.IsCancellationRequested)
        {
            return UpstreamOutcome.Abandoned(Usage);
        }

        return UpstreamOutcome.Success(Usage, breakKind);
    }

    private static void StartSink(Pipeline.ResponseSink sink, HttpResponseMessage upstream)
    {
        sink.Headers.CacheControl = "no-cache";
        if (upstream.Headers.TryGetValues("request-id", out var values))
        {
            sink.Headers[GatewayHeaders.UpstreamRequestId] = values.First();
        }

        sink.Start(StatusCodes.Status200OK, "text/event-stream; charset=utf-8");
    }

    private async ValueTask SendCompleteEventsAsync(Pipeline.ResponseSink sink)
    {
        sink.Writer.Write(_buffer.AsSpan(0, _eventsEnd));
        _buffer.AsSpan(_eventsEnd, _length - _eventsEnd).CopyTo(_buffer);
        _length -= _eventsEnd;
        _scanned -= _eventsEnd;
        _eventsEnd = 0;
        await sink.FlushAsync();
    }

    /// <summary>Reads the lines that arrived complete: notes event names, reads usage, marks where complete events end.</summary>
    private void ScanLines()
    {
        while (_scanned < _length)
        {
            var newline = _buffer.AsSpan(_scanned, _length - _scanned).IndexOf((byte)'\n');
            if (newline < 0)
            {
                return;
            }

            var line = _buffer.AsSpan(_scanned, newline).TrimEnd((byte)'\r');
            _scanned += newline + 1;
            if (line.IsEmpty)
            {
                _eventsEnd = _scanned;
                _eventName = null;
            }
            else if (line.StartsWith("event:"u8))
            {
                _eventName = System.Text.Encoding.UTF8.GetString(line[6..].Trim((byte)' '));
            }
            else if (line.StartsWith("data:"u8) && _eventName is "message_start" or "message_delta" or "message_stop" or "error")
            {
                OnData(_eventName, line[5..]);
            }
        }
    }

    private void OnData(string eventName, ReadOnlySpan<byte> data)
    {
        if (eventName == "message_stop")
        {
            _sawStop = true;
            return;
        }

        var reader = new Utf8JsonReader(data);
        using var document = JsonDocument.ParseValue(ref reader);
        var root = document.RootElement;
        switch (eventName)
        {
            case "message_start" when root.TryGetProperty("message", out var message) && message.TryGetProperty("usage", out var startUsage):
                Usage = AnthropicWire.Usage(startUsage);
                break;
            case "message_delta" when root.TryGetProperty("usage", out var usage) && usage.ValueKind == JsonValueKind.Object:
                Usage = AnthropicWire.Usage(usage, Usage);
                break;
            case "error" when root.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.Object:
                _errorEvent = AnthropicErrors.MapEvent(error);
                break;
        }
    }

    private static void WriteErrorEvent(Pipeline.ResponseSink sink, string message)
    {
        sink.Writer.Write("event: error\ndata: "u8);
        using (var json = new Utf8JsonWriter(sink.Writer, OpenAiChunkWriter.WriterOptions))
        {
            json.WriteStartObject();
            json.WriteString("type"u8, "error"u8);
            json.WriteStartObject("error"u8);
            json.WriteString("type"u8, "api_error"u8);
            json.WriteString("message"u8, message);
            json.WriteEndObject();
            json.WriteEndObject();
        }

        sink.Writer.Write("\n\n"u8);
    }

    private void Grow()
    {
        var larger = ArrayPool<byte>.Shared.Rent(_buffer.Length * 2);
        _buffer.AsSpan(0, _length).CopyTo(larger);
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = larger;
    }
}
