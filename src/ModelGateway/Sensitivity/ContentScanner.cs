using System.Buffers;
using System.Text.Json;
using ModelGateway.Providers;

namespace ModelGateway.Sensitivity;

/// <summary>
/// One pass over a request body with <see cref="Utf8JsonReader"/>: runs the detectors over every text the model
/// will read (message <c>content</c> strings, <c>text</c> parts, tool-call <c>arguments</c>; embeddings
/// <c>input</c>), counts the text bytes for a prompt-token estimate, and optionally collects <c>metadata</c>.
/// String values are unescaped only when they contain escapes, into one pooled buffer.
/// </summary>
internal static class ContentScanner
{
    public static ContentScan Scan(ReadOnlySpan<byte> body, Operation operation, DetectorSet detectors, bool collectMetadata)
    {
        var state = new ScanState(detectors);
        try
        {
            var reader = new Utf8JsonReader(body);
            if (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
            {
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    if (operation == Operation.ChatCompletions && reader.ValueTextEquals("messages"u8))
                    {
                        reader.Read();
                        ScanMessages(ref reader, ref state);
                    }
                    else if (operation == Operation.Embeddings && reader.ValueTextEquals("input"u8))
                    {
                        reader.Read();
                        ScanStringsIn(ref reader, ref state);
                    }
                    else if (collectMetadata && reader.ValueTextEquals("metadata"u8))
                    {
                        reader.Read();
                        ReadMetadata(ref reader, ref state);
                    }
                    else
                    {
                        reader.Read();
                        reader.Skip();
                    }
                }
            }
        }
        catch (JsonException)
        {
            // The front door validated the body; if it still cannot be read, nothing is known about its content.
            state.Unreadable = true;
        }
        finally
        {
            state.ReturnBuffer();
        }

        return new ContentScan(state.Fired, state.TextBytes, state.Messages, state.Metadata, state.Unreadable);
    }

    private static void ScanMessages(ref Utf8JsonReader reader, ref ScanState state)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            reader.Skip();
            return;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
        {
            state.Messages++;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("content"u8))
                {
                    reader.Read();
                    ScanContent(ref reader, ref state);
                }
                else if (reader.ValueTextEquals("tool_calls"u8))
                {
                    reader.Read();
                    ScanToolCalls(ref reader, ref state);
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }
        }
    }

    private static void ScanContent(ref Utf8JsonReader reader, ref ScanState state)
    {
        if (reader.TokenType == JsonTokenType.String)
        {
            state.ScanString(ref reader);
            return;
        }

        if (reader.TokenType != JsonTokenType.StartArray)
        {
            reader.Skip();
            return;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
        {
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isText = reader.ValueTextEquals("text"u8);
                reader.Read();
                if (isText && reader.TokenType == JsonTokenType.String)
                {
                    state.ScanString(ref reader);
                }
                else
                {
                    reader.Skip();
                }
            }
        }
    }

    private static void ScanToolCalls(ref Utf8JsonReader reader, ref ScanState state)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            reader.Skip();
            return;
        }

        var depth = reader.CurrentDepth;
        while (reader.Read() && reader.CurrentDepth > depth)
        {
            if (reader.TokenType == JsonTokenType.PropertyName && reader.ValueTextEquals("arguments"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.String)
                {
                    state.ScanString(ref reader);
                }
                else
                {
                    reader.Skip();
                }
            }
        }
    }

    /// <summary>A string, or an array of strings (arrays of token ids are skipped).</summary>
    private static void ScanStringsIn(ref Utf8JsonReader reader, ref ScanState state)
    {
        if (reader.TokenType == JsonTokenType.String)
        {
            state.ScanString(ref reader);
            return;
        }

        if (reader.TokenType != JsonTokenType.StartArray)
        {
            reader.Skip();
            return;
        }

        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType == JsonTokenType.String)
            {
                state.ScanString(ref reader);
            }
            else
            {
                reader.Skip();
            }
        }
    }

    private static void ReadMetadata(ref Utf8JsonReader reader, ref ScanState state)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var key = reader.GetString()!;
            reader.Read();
            if (reader.TokenType == JsonTokenType.String)
            {
                (state.Metadata ??= []).Add(new KeyValuePair<string, string>(key, reader.GetString()!));
            }
            else
            {
                reader.Skip();
            }
        }
    }

    private struct ScanState
    {
        private readonly DetectorSet _detectors;
        private byte[]? _buffer;

        public ScanState(DetectorSet detectors)
        {
            _detectors = detectors;
        }

        public ulong Fired { get; private set; }

        public int TextBytes { get; private set; }

        public int Messages { get; set; }

        public List<KeyValuePair<string, string>>? Metadata { get; set; }

        public bool Unreadable { get; set; }

        public void ScanString(ref Utf8JsonReader reader)
        {
            ReadOnlySpan<byte> text;
            if (reader.ValueIsEscaped)
            {
                var needed = reader.ValueSpan.Length;
                if (_buffer is null || _buffer.Length < needed)
                {
                    ReturnBuffer();
                    _buffer = ArrayPool<byte>.Shared.Rent(needed);
                }

                text = _buffer.AsSpan(0, reader.CopyString(_buffer));
            }
            else
            {
                text = reader.ValueSpan;
            }

            TextBytes += text.Length;
            if (Fired != _detectors.AllFired)
            {
                Fired = _detectors.Run(text, Fired);
            }
        }

        public void ReturnBuffer()
        {
            if (_buffer is not null)
            {
                ArrayPool<byte>.Shared.Return(_buffer);
                _buffer = null;
            }
        }
    }
}

/// <summary>What a scan found: fired detectors (a bit per detector), text size and message count, and metadata.</summary>
internal readonly record struct ContentScan(ulong Fired, int TextBytes, int Messages, List<KeyValuePair<string, string>>? Metadata, bool Unreadable)
{
    /// <summary>A rough prompt size: about four bytes of text per token plus a few tokens of framing per message.</summary>
    public int EstimatedPromptTokens => ((TextBytes + 3) / 4) + (Messages * 4);
}
