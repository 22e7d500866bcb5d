using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using ModelGateway.Requests;

namespace ModelGateway.Providers.Translation;

/// <summary>
/// Writes OpenAI <c>chat.completion.chunk</c> events (<c>data: {...}\n\n</c>) into a buffer. Every chunk of one
/// response repeats the same id, created and model, as OpenAI's do.
/// </summary>
internal sealed class OpenAiChunkWriter : IDisposable
{
    public static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = true };

    private readonly IBufferWriter<byte> _output;
    private readonly Utf8JsonWriter _json;
    private readonly long _created;
    private string _id = "chatcmpl-gateway";
    private string _model = string.Empty;

    public OpenAiChunkWriter(IBufferWriter<byte> output, long created)
    {
        _output = output;
        _created = created;
        _json = new Utf8JsonWriter(output, WriterOptions);
    }

    public void SetIdentity(string id, string model)
    {
        _id = id;
        _model = model;
    }

    public void Role() => Chunk(static j =>
    {
        j.WriteString("role"u8, "assistant"u8);
        j.WriteString("content"u8, ""u8);
    });

    public void Content(string text)
    {
        Begin();
        BeginDelta();
        _json.WriteString("content"u8, text);
        EndDelta(null);
        End();
    }

    public void ToolCallStart(int index, string id, string name)
    {
        Begin();
        BeginDelta();
        _json.WriteStartArray("tool_calls"u8);
        _json.WriteStartObject();
        _json.WriteNumber("index"u8, index);
        _json.WriteString("id"u8, id);
        _json.WriteString("type"u8, "function"u8);
        _json.WriteStartObject("function"u8);
        _json.WriteString("name"u8, name);
        _json.WriteString("arguments"u8, ""u8);
        _json.WriteEndObject();
        _json.WriteEndObject();
        _json.WriteEndArray();
        EndDelta(null);
        End();
    }

    public void ToolCallArguments(int index, string fragment)
    {
        Begin();
        BeginDelta();
        _json.WriteStartArray("tool_calls"u8);
        _json.WriteStartObject();
        _json.WriteNumber("index"u8, index);
        _json.WriteStartObject("function"u8);
        _json.WriteString("arguments"u8, fragment);
        _json.WriteEndObject();
        _json.WriteEndObject();
        _json.WriteEndArray();
        EndDelta(null);
        End();
    }

    public void Finish(string finishReason)
    {
        Begin();
        BeginDelta();
        EndDelta(finishReason);
        End();
    }

    /// <summary>The extra chunk of <c>stream_options.include_usage</c>: no choices, the usage object.</summary>
    public void Usage(TokenUsage usage)
    {
        _output.Write("data: "u8);
        _json.Reset();
        WriteHeader();
        _json.WriteStartArray("choices"u8);
        _json.WriteEndArray();
        _json.WritePropertyName("usage"u8);
        OpenAiUsageJson.Write(_json, usage);
        _json.WriteEndObject();
        _json.Flush();
        _output.Write("\n\n"u8);
    }

    public void Done() => _output.Write("data: [DONE]\n\n"u8);

    public void Error(GatewayError error)
    {
        _output.Write("data: "u8);
        _json.Reset();
        error.WriteEnvelope(_json);
        _json.Flush();
        _output.Write("\n\n"u8);
    }

    public void Dispose() => _json.Dispose();

    private void Chunk(Action<Utf8JsonWriter> delta)
    {
        Begin();
        BeginDelta();
        delta(_json);
        EndDelta(null);
        End();
    }

    private void Begin()
    {
        _output.Write("data: "u8);
        _json.Reset();
        WriteHeader();
        _json.WriteStartArray("choices"u8);
        _json.WriteStartObject();
        _json.WriteNumber("index"u8, 0);
    }

    private void WriteHeader()
    {
        _json.WriteStartObject();
        _json.WriteString("id"u8, _id);
        _json.WriteString("object"u8, "chat.completion.chunk"u8);
        _json.WriteNumber("created"u8, _created);
        _json.WriteString("model"u8, _model);
        _json.WriteNull("system_fingerprint"u8);
    }

    private void BeginDelta() => _json.WriteStartObject("delta"u8);

    private void EndDelta(string? finishReason)
    {
        _json.WriteEndObject();
        _json.WriteNull("logprobs"u8);
        _json.WriteString("finish_reason"u8, finishReason);
        _json.WriteEndObject();
        _json.WriteEndArray();
    }

    private void End()
    {
        _json.WriteNull("usage"u8);
        _json.WriteEndObject();
        _json.Flush();
        _output.Write("\n\n"u8);
    }
}
