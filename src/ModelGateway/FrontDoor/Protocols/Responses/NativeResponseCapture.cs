using System.Buffers;
using System.IO.Pipelines;
using System.Text.Json;
using ModelGateway.Pipeline;

namespace ModelGateway.FrontDoor.Protocols.Responses;

/// <summary>
/// Passes a native Responses answer to the client as the upstream wrote it, and stores it (under the upstream's
/// response id) before the client sees it end: the terminal stream event, or the whole JSON body, is held until
/// the store has it, so a continuation sent the moment the client has the answer finds it on any replica. Stored
/// this way, the conversation can continue on any deployment, native or translated.
/// </summary>
internal sealed class NativeResponseCapture : ResponseSink
{
    private readonly ResponseSink _client;
    private readonly ResponsesExchange _exchange;
    private readonly ArrayBufferWriter<byte> _pending = new(4096);
    private readonly HeldWriter _writer;
    private bool _json;
    private bool _saved;
    private bool _started;

    public NativeResponseCapture(ResponseSink client, ResponsesExchange exchange)
    {
        _client = client;
        _exchange = exchange;
        _writer = new HeldWriter(this);
    }

    public override bool HasStarted => _started;

    public override CancellationToken Aborted => _client.Aborted;

    public override PipeWriter Writer => _writer;

    public override IHeaderDictionary Headers => _client.Headers;

    public override void Start(int status, string contentType)
    {
        _started = true;
        _json = !contentType.StartsWith("text/event-stream", StringComparison.OrdinalIgnoreCase);
        _client.Start(status, contentType);
    }

    public override ValueTask FlushAsync() => PassAsync(final: false);

    public override void Reset()
    {
        _pending.ResetWrittenCount();
        _client.Reset();
    }

    public override ValueTask CompleteAsync() => HasStarted ? PassAsync(final: true) : ValueTask.CompletedTask;

    /// <summary>Sends what may go now: complete events (saving before a terminal one), or the JSON body once whole.</summary>
    private async ValueTask PassAsync(bool final)
    {
        if (_pending.WrittenCount == 0)
        {
            return;
        }

        var pending = _pending.WrittenMemory;
        var send = final ? pending.Length : 0;
        if (_json)
        {
            if (final)
            {
                await SaveAsync(pending, isEvent: false);
            }
        }
        else if (!final)
        {
            send = pending.Span.LastIndexOf("\n\n"u8) is var end and >= 0 ? end + 2 : 0;
        }

        if (!_json && send > 0 && !_saved)
        {
            var window = pending[..send];
            var terminal = IndexOfTerminal(window.Span);
            if (terminal >= 0)
            {
                await SaveAsync(window[terminal..], isEvent: true);
            }
        }

        if (send == 0)
        {
            return;
        }

        _client.Writer.Write(pending.Span[..send]);
        var rest = pending.Span[send..].ToArray();
        _pending.ResetWrittenCount();
        _pending.Write(rest);
        if (!_client.Aborted.IsCancellationRequested)
        {
            await _client.FlushAsync();
        }
    }

    private static int IndexOfTerminal(ReadOnlySpan<byte> events)
    {
        foreach (var type in (ReadOnlySpan<string>)["\"type\":\"response.completed\"", "\"type\":\"response.incomplete\""])
        {
            var at = events.IndexOf(System.Text.Encoding.UTF8.GetBytes(type));
            if (at >= 0)
            {
                return events[..at].LastIndexOf("data:"u8) is var data and >= 0 ? data + 5 : at;
            }
        }

        return -1;
    }

    /// <summary>Reads the response object (the body, or the terminal event's <c>response</c>) and stores it with its output items.</summary>
    private async ValueTask SaveAsync(ReadOnlyMemory<byte> json, bool isEvent)
    {
        _saved = true;
        try
        {
            var reader = new Utf8JsonReader(json.Span);
            using var document = JsonDocument.ParseValue(ref reader);
            var response = isEvent ? document.RootElement.GetProperty("response") : document.RootElement;
            if (response.GetProperty("id").GetString() is not { } id)
            {
                return;
            }

            var output = new List<byte[]>();
            if (response.TryGetProperty("output", out var items) && items.ValueKind == JsonValueKind.Array)
            {
                foreach (var item in items.EnumerateArray())
                {
                    output.Add(System.Text.Encoding.UTF8.GetBytes(item.GetRawText()));
                }
            }

            await _exchange.SaveAsync(output, System.Text.Encoding.UTF8.GetBytes(response.GetRawText()), _client.Aborted, id);
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            // Not a response object the gateway can read: the client still gets it, it is just not stored here.
        }
    }

    private sealed class HeldWriter(NativeResponseCapture owner) : PipeWriter
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
