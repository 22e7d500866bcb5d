using System.Buffers;
using System.Net.Http.Headers;
using System.Text.Json;
using ModelGateway.Requests;

namespace ModelGateway.Providers.Translation;

/// <summary>Builds the provider request: JSON body written with <see cref="Utf8JsonWriter"/>, provider headers, request id.</summary>
internal static class TranslatedRequest
{
    private static readonly MediaTypeHeaderValue Json = new("application/json");

    /// <summary>Writes a body; the writer returns why it could not, or null.</summary>
    public static (ReadOnlyMemory<byte> Body, T? Problem) WriteBody<T>(Func<Utf8JsonWriter, T?> write)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        T? problem;
        using (var json = new Utf8JsonWriter(buffer, OpenAiChunkWriter.WriterOptions))
        {
            problem = write(json);
        }

        return (buffer.WrittenMemory, problem);
    }

    public static HttpRequestMessage Create(UpstreamCall call, Uri uri, ReadOnlyMemory<byte> body, bool stream)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, uri)
        {
            Content = new ReadOnlyMemoryContent(body),
            Version = System.Net.HttpVersion.Version11,
            VersionPolicy = HttpVersionPolicy.RequestVersionOrHigher,
        };
        request.Content.Headers.ContentType = Json;
        request.Headers.Accept.ParseAdd(stream ? "text/event-stream" : "application/json");
        foreach (var (name, value) in call.Deployment.Provider.Headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        request.Headers.TryAddWithoutValidation(GatewayHeaders.RequestId, call.RequestId);
        return request;
    }
}
