using System.Buffers;
using System.IO.Pipelines;
using System.Text.Json;
using ModelGateway.Pipeline;
using ModelGateway.Providers.Translation;
using ModelGateway.Requests;

namespace ModelGateway.FrontDoor.Protocols.AnthropicMessages;

/// <summary>
/// Renders canonical output (an OpenAI chat completion, or its chunk stream) as Messages for the client. A stream is
/// translated event by event on every flush, so the client gets each Anthropic event as soon as its chunk arrived;
/// a whole completion is held until it is complete and translated at once.
/// </summary>
internal sealed class MessagesRenderingSink : ResponseSink, IDisposable
{
    private readonly ResponseSink _client;
    private readonly string? _dropped;
    private readonly int _estimatedInputTokens;
    private readonly PendingBytes _pending;
    private ChatToMessagesStream? _stream;
    private bool _started;

    public MessagesRenderingSink(ResponseSink client, string? dropped, int estimatedInputTokens)
    {
        _client = client;
        _dropped = dropped;
        _estimatedInputTokens = estimatedInputTokens;
        _pending = new PendingBytes(FlushAsync);
    }

    public override bool HasStarted => _started;

    public override CancellationToken Aborted => _client.Aborted;

    public override PipeWriter Writer => _pending;

    public override IHeaderDictionary Headers => _client.Headers;

    public override void Start(int status, string contentType)
    {
        _started = true;
        if (_dropped is not null)
        {
            _client.Headers[AnthropicMessagesProtocol.DroppedHeader] = _dropped;
        }

        if (status < 300 && contentType.StartsWith("text/event-stream", StringComparison.OrdinalIgnoreCase))
        {
            _client.Headers.CacheControl = "no-cache";
            _stream = new ChatToMessagesStream(_client.Writer, _estimatedInputTokens);
            _client.Start(status, "text/event-stream");
        }
        else
        {
            // A whole completion (or an error body): its status is known once it has been read.
            _client.Headers.ContentLength = null;
        }
    }

    public override async ValueTask FlushAsync()
    {
        if (_stream is null)
        {
            return;
        }

        var consumed = _stream.Translate(_pending.Written);
        _pending.Consume(consumed);
        await _client.FlushAsync();
    }

    public override void Reset()
    {
        _started = false;
        _stream?.Dispose();
        _stream = null;
        _pending.Clear();
        _client.Reset();
    }

    public override async ValueTask CompleteAsync()
    {
        if (_stream is not null)
        {
            _stream.Translate(_pending.Written);
            _pending.Clear();
            _stream.EndOfStream();
            await _client.FlushAsync();
            return;
        }

        var (status, body) = ChatToMessagesJson.Translate(_pending.Written);
        _pending.Clear();
        _client.Start(status, "application/json");
        _client.Writer.Write(body);
        await _client.FlushAsync();
    }

    /// <summary>Releases the pending buffer; the dispatcher disposes the sink after the attempt.</summary>
    public void Dispose()
    {
        _stream?.Dispose();
        _pending.Complete();
    }
}
