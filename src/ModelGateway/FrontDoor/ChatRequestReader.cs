using ModelGateway.Configuration;
using ModelGateway.Requests;

namespace ModelGateway.FrontDoor;

/// <summary>Reads and parses a chat completions body, the same way for every endpoint that takes one.</summary>
internal static class ChatRequestReader
{
    /// <summary>The body and its parsed facts; null after the error (413, 400...) has been written to the client.</summary>
    public static async ValueTask<(RequestBody Body, ChatRequest Chat)?> ReadAsync(HttpContext context, GatewaySnapshot snapshot)
    {
        var (body, readError) = await RequestBody.ReadAsync(context, snapshot.Config.MaxRequestBodyBytes);
        if (body is null)
        {
            await readError!.WriteAsync(context);
            return null;
        }

        var chat = ChatRequestParser.Parse(body.Span, out var parseError);
        if (chat is null)
        {
            await parseError!.WriteAsync(context);
            return null;
        }

        return (body, chat);
    }
}
