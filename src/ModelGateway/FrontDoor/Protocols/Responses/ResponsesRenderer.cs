using System.Buffers;
using System.IO.Pipelines;
using ModelGateway.Pipeline;

namespace ModelGateway.FrontDoor.Protocols.Responses;

/// <summary>
/// The sink a translating adapter writes canonical output into for a Responses client: chat completion JSON is
/// held and rendered whole as a response object; chat SSE chunks are rendered as Responses events as each flush
/// brings them (<see cref="ResponsesEventRenderer"/>). Nothing reaches the client before the adapter starts the
/// answer, so a failure before the first chunk still falls back; a stream the adapter leaves unfinished is ended
/// here with an <c>error</c> event and <c>response.failed</c>.
/// </summary>
internal sealed class ResponsesRenderer : ResponseSink
{
    private readonly ResponseSink _client;
    private readonly ResponsesExchange _exchange;
    private readonly ArrayBufferWriter<byte> _pending = new(4096);
    private readonly HeldWriter _writer;
    private ResponsesEventRenderer? _events;
    private bool _started;
    private bool _json;
    private bool _completed;

    public ResponsesRenderer(ResponseSink client, ResponsesExchange exchange)
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
        if (_exchange.Request.BuiltInTools.Count > 0)
        {
            // Tools only OpenAI runs (web search...) were not offered to this deployment: say which.
            _client.Headers[ResponsesProtocol.DroppedToolsHeader] = string.Join(',', _exchange.Request.BuiltInTools);
        }

        _client.Start(status, _json ? "application/json" : "text/event-stream; charset=utf-8");
        if (!_json)
        {
            _events = new ResponsesEventRenderer(_exchange, _client.Writer);
            _events.Begin();
        }
    }

    public override ValueTask FlushAsync() => RenderPendingAsync();

    public override void Reset()
    {
        _pending.ResetWrittenCount();
        _client.Reset();
    }

    public override async ValueTask CompleteAsync()
    {
        if (!_started || _completed)
        {
            return;
        }

        _completed = true;
        if (_json)
        {
            var response = ChatCompletionRenderer.Render(_exchange, _pending.WrittenSpan, out var output);
            await _exchange.SaveAsync(output, response, _client.Aborted);
            _client.Writer.Write(response);
        }
        else
        {
            await RenderPendingAsync();
            await _events!.EndAsync(_client.Aborted);
        }

        await FlushClientAsync();
    }

    private async ValueTask RenderPendingAsync()
    {
        if (!_started || _json || _pending.WrittenCount == 0)
        {
            return;
        }

        var consumed = await _events!.RenderAsync(_pending.WrittenMemory, _client.Aborted);
        var rest = _pending.WrittenSpan[consumed..].ToArray();
        _pending.ResetWrittenCount();
        _pending.Write(rest);
        await FlushClientAsync();
    }

    private async ValueTask FlushClientAsync()
    {
        if (!_client.Aborted.IsCancellationRequested)
        {
            await _client.FlushAsync();
        }
    }

    /// <summary>Holds what the adapter writes until a flush renders it.</summary>
    private sealed class HeldWriter(ResponsesRenderer owner) : PipeWriter
    {
        public override void Advance(int bytes) => owner._pending.Advance(bytes);

        public override Memory<byte> GetMemory(int sizeHint = 0) => owner._pending.GetMemory(sizeHint);

        public override Span<byte> GetSpan(int sizeHint = 0) => owner._pending.GetSpan(sizeHint);

        public override async ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default)
        {
            await owner.RenderPendingAsync();
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
