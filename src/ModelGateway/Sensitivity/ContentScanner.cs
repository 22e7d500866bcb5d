using System.Buffers;
using System.Text.Json;
using System.Text.Unicode;
using ModelGateway.Requests;

namespace ModelGateway.Sensitivity;

/// <summary>
/// One <see cref="Utf8JsonReader"/> pass over a request body that feeds the detectors every string in it, whatever
/// its place or shape: values and property names, known fields and unknown ones (tool descriptions, schemas, names,
/// refusals, predictions, metadata, malformed parts), and the text of numbers. Nothing is skipped but the top-level
/// <c>seed</c> and the base64 payload of image and audio <c>data:</c> URLs (binary the model sees as pixels or sound).
/// The strings are unescaped into one pooled buffer, one per line, and the detectors run once over it. Anything the
/// scanner cannot read (broken JSON, invalid text, token-id arrays of embeddings and legacy completions) marks the scan unreadable, which
/// routing treats as restricted: doubt fails closed.
/// </summary>
internal static class ContentScanner
{
    public static ContentScan Scan(ReadOnlySpan<byte> body, Operation operation, DetectorSet detectors, bool collectMetadata)
    {
        var state = new ScanState(detectors, body.Length);
        try
        {
            Walk(body, operation, collectMetadata, ref state);
            state.Flush();
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
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

    private static void Walk(ReadOnlySpan<byte> body, Operation operation, bool collectMetadata, ref ScanState state)
    {
        var reader = new Utf8JsonReader(body);
        var top = TopField.Other;
        var countsAsText = false;
        string? metadataKey = null;
        while (reader.Read())
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.PropertyName:
                    if (reader.CurrentDepth == 1)
                    {
                        top = TopFieldOf(ref reader);
                    }
                    else if (top == TopField.Metadata && reader.CurrentDepth == 2 && collectMetadata)
                    {
                        metadataKey = reader.GetString();
                    }

                    countsAsText = CountsAsText(ref reader) || (top == TopField.Prompt && reader.CurrentDepth == 1);
                    state.Add(ref reader, countsAsText: false);
                    break;
                case JsonTokenType.String:
                    if (metadataKey is not null && top == TopField.Metadata && reader.CurrentDepth == 2)
                    {
                        (state.Metadata ??= []).Add(new KeyValuePair<string, string>(metadataKey, reader.GetString()!));
                    }

                    state.Add(ref reader, countsAsText);
                    break;
                case JsonTokenType.Number:
                    if (top is (TopField.Input or TopField.Prompt) && MayCarryTokenIds(operation))
                    {
                        // Token ids: the upstream decodes them with a tokenizer the gateway does not have.
                        state.Unreadable = true;
                    }

                    if (!(top == TopField.Seed && reader.CurrentDepth == 1))
                    {
                        state.Add(ref reader, countsAsText: false);
                    }

                    break;
                case JsonTokenType.StartObject:
                    if (top == TopField.Messages && reader.CurrentDepth == 2)
                    {
                        state.Messages++;
                    }

                    break;
            }
        }
    }

    /// <summary>
    /// Whether numbers under <c>input</c> (embeddings) or <c>prompt</c> (legacy completions) may be token ids; any
    /// operation not known to be text fails closed.
    /// </summary>
    private static bool MayCarryTokenIds(Operation operation) => operation switch
    {
        Operation.ChatCompletions or Operation.Responses => false,
        _ => true,
    };

    private static TopField TopFieldOf(ref Utf8JsonReader reader) =>
        reader.ValueTextEquals("messages"u8) ? TopField.Messages
        : reader.ValueTextEquals("input"u8) ? TopField.Input
        : reader.ValueTextEquals("metadata"u8) ? TopField.Metadata
        : reader.ValueTextEquals("seed"u8) ? TopField.Seed
        : reader.ValueTextEquals("prompt"u8) ? TopField.Prompt
        : TopField.Other;

    /// <summary>The strings that make up the prompt-size estimate: message content, text parts, tool arguments, input.</summary>
    private static bool CountsAsText(ref Utf8JsonReader reader) =>
        reader.ValueTextEquals("content"u8) || reader.ValueTextEquals("text"u8) || reader.ValueTextEquals("arguments"u8) || reader.ValueTextEquals("input"u8);

    private enum TopField
    {
        Other,
        Messages,
        Input,
        Metadata,
        Seed,
        Prompt,
    }

    private struct ScanState
    {
        private const byte Separator = (byte)'\n';

        private readonly DetectorSet _detectors;
        private byte[] _buffer;
        private int _length;

        public ScanState(DetectorSet detectors, int bodyLength)
        {
            _detectors = detectors;

            // Every token's unescaped text plus a separator fits in the bytes the token takes in the body.
            _buffer = ArrayPool<byte>.Shared.Rent(bodyLength + 16);
        }

        public ulong Fired { get; private set; }

        public int TextBytes { get; private set; }

        public int Messages { get; set; }

        public List<KeyValuePair<string, string>>? Metadata { get; set; }

        public bool Unreadable { get; set; }

        /// <summary>Appends the current token's text (unescaped) as one line of the text to scan.</summary>
        public void Add(ref Utf8JsonReader reader, bool countsAsText)
        {
            var raw = reader.ValueSpan;
            if (!reader.ValueIsEscaped && reader.TokenType == JsonTokenType.String && DataUrls.BinaryPayloadStart(raw) is var start and > 0)
            {
                Append(raw[..start]);
                return;
            }

            Reserve(raw.Length + 1);
            int written;
            if (reader.ValueIsEscaped)
            {
                written = reader.CopyString(_buffer.AsSpan(_length));
                var unescaped = _buffer.AsSpan(_length, written);
                if (!Utf8.IsValid(unescaped))
                {
                    // An unpaired surrogate escape: the front door refuses these; here it is doubt.
                    Unreadable = true;
                }

                if (reader.TokenType == JsonTokenType.String && DataUrls.BinaryPayloadStart(unescaped) is var escapedStart and > 0)
                {
                    written = escapedStart;
                }
            }
            else
            {
                raw.CopyTo(_buffer.AsSpan(_length));
                written = raw.Length;
            }

            _length += written;
            _buffer[_length++] = Separator;
            if (countsAsText)
            {
                TextBytes += written;
            }
        }

        /// <summary>Runs the detectors that have not fired yet over the collected text.</summary>
        public void Flush()
        {
            if (_length > 0 && Fired != _detectors.AllFired)
            {
                Fired = _detectors.Run(_buffer.AsSpan(0, _length), Fired);
            }

            _length = 0;
        }

        public void ReturnBuffer()
        {
            if (_buffer.Length > 0)
            {
                ArrayPool<byte>.Shared.Return(_buffer);
                _buffer = [];
            }
        }

        private void Append(ReadOnlySpan<byte> text)
        {
            Reserve(text.Length + 1);
            text.CopyTo(_buffer.AsSpan(_length));
            _length += text.Length;
            _buffer[_length++] = Separator;
        }

        /// <summary>Makes room for <paramref name="needed"/> bytes: scans what is collected when the buffer is full.</summary>
        private void Reserve(int needed)
        {
            if (_length + needed <= _buffer.Length)
            {
                return;
            }

            Flush();
            if (needed > _buffer.Length)
            {
                ArrayPool<byte>.Shared.Return(_buffer);
                _buffer = ArrayPool<byte>.Shared.Rent(needed);
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
