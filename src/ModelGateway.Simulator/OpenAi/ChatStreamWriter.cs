using System.Buffers;
using System.IO.Pipelines;
using System.Text.Json;
using ModelGateway.Simulator.Hosting;

namespace ModelGateway.Simulator.OpenAi;

/// <summary>
/// Streams a reply as server-sent events: <c>data: {chunk}\n\n</c> per chunk, flushed one by one, then the
/// usage chunk (when asked) and <c>data: [DONE]</c>. Applies cut, truncate and oversized-event faults.
/// </summary>
internal sealed class ChatStreamWriter
{
    private readonly ChatCompletionResult _result;
    private readonly PipeWriter _pipe;
    private readonly Utf8JsonWriter _json;
    private readonly JsonEncodedText _id;
    private readonly JsonEncodedText _model;

    private ChatStreamWriter(ChatCompletionResult result, PipeWriter pipe, Utf8JsonWriter json)
    {
        _result = result;
        _pipe = pipe;
        _json = json;
        _id = JsonEncodedText.Encode(result.Id, OpenAiJson.WriterOptions.Encoder);
        _model = JsonEncodedText.Encode(result.Model, OpenAiJson.WriterOptions.Encoder);
    }

    private static ReadOnlySpan<byte> DataPrefix => "data: "u8;

    private static ReadOnlySpan<byte> EventEnd => "\n\n"u8;

    private static ReadOnlySpan<byte> Done => "data: [DONE]\n\n"u8;

    /// <param name="preamble">Written and flushed before the first chunk (Azure's content-filter chunk), when given.</param>
    public static async Task WriteAsync(HttpContext context, ChatCompletionResult result, int chunkDelayMs, TimeProvider timeProvider, Action<PipeWriter>? preamble = null)
    {
        var response = context.Response;
        var cancellationToken = context.RequestAborted;
        var feature = SimulatorRequestFeature.Get(context);
        var fault = feature.BodyFault;
        var chunkLimit = fault?.Kind is FaultKind.CutStream or FaultKind.TruncateStream or FaultKind.OversizedEvent ? fault.AfterChunks : int.MaxValue;

        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        await response.StartAsync(cancellationToken);

        var pipe = response.BodyWriter;
        if (preamble is not null)
        {
            preamble(pipe);
            await FlushAsync(pipe, cancellationToken);
        }

        await using var json = new Utf8JsonWriter(pipe, OpenAiJson.WriterOptions);
        var writer = new ChatStreamWriter(result, pipe, json);
        var delay = TimeSpan.FromMilliseconds(chunkDelayMs);
        var sent = 0;
        foreach (var step in StreamPlan.Of(result.Reply, result.ReasoningText))
        {
            if (sent == chunkLimit)
            {
                break;
            }

            if (sent > 0 && chunkDelayMs > 0)
            {
                await Task.Delay(delay, timeProvider, cancellationToken);
            }

            writer.WriteChunk(step);
            sent++;
            if (!await FlushAsync(pipe, cancellationToken))
            {
                return;
            }
        }

        switch (fault?.Kind)
        {
            case FaultKind.CutStream:
                throw feature.BreakConnection($"connection cut after {sent} stream chunks.");
            case FaultKind.TruncateStream:
                return;
            case FaultKind.OversizedEvent:
                await OversizedEvent.WriteAsync(context, pipe, fault.EventBytes);
                return;
        }

        if (result.IncludeUsage)
        {
            if (chunkDelayMs > 0)
            {
                await Task.Delay(delay, timeProvider, cancellationToken);
            }

            writer.WriteUsageChunk();
        }

        pipe.Write(Done);
        await FlushAsync(pipe, cancellationToken);
    }

    /// <summary>Flushes; false when the client has gone away.</summary>
    private static async ValueTask<bool> FlushAsync(PipeWriter pipe, CancellationToken cancellationToken)
    {
        var flush = await pipe.FlushAsync(cancellationToken);
        return !flush.IsCompleted && !flush.IsCanceled;
    }

    private void WriteChunk(in StreamStep step)
    {
        BeginEvent();
        _json.WriteStartArray("choices"u8);
        _json.WriteStartObject();
        _json.WriteNumber("index"u8, step.Choice);
        _json.WriteStartObject("delta"u8);
        WriteDelta(step);
        _json.WriteEndObject();
        _json.WriteNull("logprobs"u8);
        if (step.Kind == StreamStepKind.Finish)
        {
            _json.WriteString("finish_reason"u8, OpenAiFinishReasons.Of(_result.Reply.Choices[step.Choice].Finish));
        }
        else
        {
            _json.WriteNull("finish_reason"u8);
        }

        _json.WriteEndObject();
        _json.WriteEndArray();
        _json.WriteNull("usage"u8);
        EndEvent();
    }

    private void WriteDelta(in StreamStep step)
    {
        switch (step.Kind)
        {
            case StreamStepKind.Role:
                _json.WriteString("role"u8, "assistant"u8);
                _json.WriteString("content"u8, ""u8);
                break;
            case StreamStepKind.Content:
                _json.WriteString("content"u8, step.Text);
                break;
            case StreamStepKind.Reasoning:
                _json.WriteString(_result.Dialect.ReasoningField!, step.Text);
                break;
            case StreamStepKind.ToolCallStart:
                var call = _result.Reply.Choices[step.Choice].ToolCalls[step.Call];
                if (step.Call == 0)
                {
                    _json.WriteString("role"u8, "assistant"u8);
                    _json.WriteNull("content"u8);
                    _json.WriteNull("refusal"u8);
                }

                _json.WriteStartArray("tool_calls"u8);
                _json.WriteStartObject();
                _json.WriteNumber("index"u8, step.Call);
                _json.WriteString("id"u8, call.Id);
                _json.WriteString("type"u8, "function"u8);
                _json.WriteStartObject("function"u8);
                _json.WriteString("name"u8, call.Name);
                _json.WriteString("arguments"u8, ""u8);
                _json.WriteEndObject();
                _json.WriteEndObject();
                _json.WriteEndArray();
                break;
            case StreamStepKind.ToolCallArguments:
                _json.WriteStartArray("tool_calls"u8);
                _json.WriteStartObject();
                _json.WriteNumber("index"u8, step.Call);
                _json.WriteStartObject("function"u8);
                _json.WriteString("arguments"u8, step.Text);
                _json.WriteEndObject();
                _json.WriteEndObject();
                _json.WriteEndArray();
                break;
            case StreamStepKind.Finish:
                break;
        }
    }

    private void WriteUsageChunk()
    {
        BeginEvent();
        _json.WriteStartArray("choices"u8);
        _json.WriteEndArray();
        UsageWriter.Write(_json, _result.Reply.Usage, _result.Dialect.Usage);
        EndEvent();
    }

    private void BeginEvent()
    {
        _pipe.Write(DataPrefix);
        _json.Reset();
        _json.WriteStartObject();
        _json.WriteString("id"u8, _id);
        _json.WriteString("object"u8, "chat.completion.chunk"u8);
        _json.WriteNumber("created"u8, _result.Created);
        _json.WriteString("model"u8, _model);
        _json.WriteString("service_tier"u8, "default"u8);
        _json.WriteString("system_fingerprint"u8, OpenAiJson.SystemFingerprint);
    }

    private void EndEvent()
    {
        _json.WriteEndObject();
        _json.Flush();
        _pipe.Write(EventEnd);
    }
}
