using System.Text.Json;

namespace ModelGateway.Requests;

/// <summary>
/// The canonical conversation view of a chat request: the OpenAI chat body read into <see cref="OpenAiChat"/>,
/// which the translating adapters map to their provider's format. It owns the parsed document the chat's
/// elements point into, so it lives as long as the request does.
/// </summary>
internal sealed class Conversation : IDisposable
{
    private readonly JsonDocument _document;

    private Conversation(JsonDocument document, OpenAiChat chat)
    {
        _document = document;
        Chat = chat;
    }

    public OpenAiChat Chat { get; }

    /// <summary>Reads an OpenAI chat body; null with <paramref name="error"/> when it is not a conversation.</summary>
    public static Conversation? Read(ReadOnlyMemory<byte> body, out GatewayError? error)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body);
        }
        catch (JsonException)
        {
            error = GatewayError.InvalidRequest("The request body is not valid JSON.");
            return null;
        }

        if (OpenAiChatReader.Read(document.RootElement, out error) is not { } chat)
        {
            document.Dispose();
            return null;
        }

        return new Conversation(document, chat);
    }

    public void Dispose() => _document.Dispose();
}
