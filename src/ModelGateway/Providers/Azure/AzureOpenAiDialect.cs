using System.Net.Http.Headers;
using ModelGateway.Configuration;
using ModelGateway.Providers.OpenAi;
using ModelGateway.Requests;

namespace ModelGateway.Providers.Azure;

/// <summary>
/// Azure OpenAI speaks the OpenAI format, so it rides the pass-through adapter with its own URLs
/// (<c>{endpoint}/openai/deployments/{deployment}/...?api-version=</c> or <c>{endpoint}/openai/v1/...</c>), the
/// <c>api-key</c> header, and without the empty-choices content-filter chunk that starts its streams.
/// </summary>
internal sealed class AzureOpenAiDialect : OpenAiDialect
{
    public override ProviderKind Kind => ProviderKind.AzureOpenAi;

    public override bool DropEmptyChoiceChunks => true;

    protected override Uri BuildTarget(Deployment deployment, Operation operation)
    {
        var provider = deployment.Provider;
        var endpoint = provider.BaseUrl.AbsoluteUri.TrimEnd('/');
        if (operation == Operation.Responses)
        {
            // Azure serves the Responses API outside the per-deployment paths (the model is in the body).
            return provider.ApiSurface == AzureApiSurface.V1
                ? new Uri(endpoint + "/openai/v1/responses")
                : new Uri(endpoint + "/openai/responses?api-version=" + Uri.EscapeDataString(provider.ApiVersion ?? ProviderKindSettings.DefaultAzureApiVersion));
        }

        var path = operation switch
        {
            Operation.ChatCompletions => "/chat/completions",
            Operation.Embeddings => "/embeddings",
            Operation.Completions => "/completions",
            _ => throw new ArgumentOutOfRangeException(nameof(operation), operation, "An operation Azure OpenAI does not serve."),
        };
        return provider.ApiSurface == AzureApiSurface.V1
            ? new Uri(endpoint + "/openai/v1" + path)
            : new Uri(endpoint + "/openai/deployments/" + Uri.EscapeDataString(deployment.Config.UpstreamModel) + path
                + "?api-version=" + Uri.EscapeDataString(provider.ApiVersion ?? ProviderKindSettings.DefaultAzureApiVersion));
    }

    public override void Authenticate(HttpRequestHeaders headers, ProviderConfig provider)
    {
        if (provider.Credential.Secret is { } secret)
        {
            headers.TryAddWithoutValidation("api-key", secret);
        }
    }
}
