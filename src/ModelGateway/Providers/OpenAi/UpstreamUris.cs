using ModelGateway.Requests;

namespace ModelGateway.Providers.OpenAi;

/// <summary>OpenAI endpoint paths relative to a provider's base URL (which includes <c>/v1</c>).</summary>
internal static class UpstreamUris
{
    public static Uri For(Uri baseUrl, Operation operation) => operation switch
    {
        Operation.ChatCompletions => new Uri(baseUrl.AbsoluteUri.TrimEnd('/') + "/chat/completions"),
        Operation.Embeddings => new Uri(baseUrl.AbsoluteUri.TrimEnd('/') + "/embeddings"),
        Operation.Responses => new Uri(baseUrl.AbsoluteUri.TrimEnd('/') + "/responses"),
        Operation.Completions => new Uri(baseUrl.AbsoluteUri.TrimEnd('/') + "/completions"),
        _ => throw new ArgumentOutOfRangeException(nameof(operation)),
    };
}
