using System.Buffers;
using System.Text.Json;
using ModelGateway.Pipeline;

namespace ModelGateway.FrontDoor.Protocols.Responses;

/// <summary>
/// Passes a native Responses answer to the client as the upstream wrote it, and stores it (under the upstream's
/// response id) before the client sees it end: the terminal stream event, or the whole JSON body, is held until
/// the store has it, so a continuation sent the moment the client has the answer finds it on any replica. Stored
/// this way, the conversation can continue on any deployment, native or translated.
/// </summary>
internal sealed class NativeResponseCapture(ResponseSink client, ResponsesExchange exchange) : WholeEventSink(client)
{
    private bool _saved;

    /// <summary>Stores the answer before the piece that ends it goes on: the whole JSON body, or the terminal event.</summary>
    protected override async ValueTask PassOnAsync(ReadOnlyMemory<byte> piece, bool final)
    {
        if (IsJson)
        {
            if (final)
            {
                await SaveAsync(piece, isEvent: false);
            }
        }
        else if (!_saved && IndexOfTerminal(piece.Span) is var terminal and >= 0)
        {
            await SaveAsync(piece[terminal..], isEvent: true);
        }

        Inner.Writer.Write(piece.Span);
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

            await exchange.SaveAsync(output, System.Text.Encoding.UTF8.GetBytes(response.GetRawText()), Inner.Aborted, id);
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            // Not a response object the gateway can read: the client still gets it, it is just not stored here.
        }
    }
}
