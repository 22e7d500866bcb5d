using System.Net.Http.Headers;
using ModelGateway.Configuration;
using ModelGateway.Requests;

namespace ModelGateway.Providers.OpenAi;

/// <summary>
/// What differs between upstreams that speak the OpenAI wire format: where a request goes, how the gateway's
/// credential is presented, and which stream chunks the client must not see. The default is OpenAI's own.
/// </summary>
internal class OpenAiDialect
{
    public static readonly OpenAiDialect Default = new();

    public virtual ProviderKind Kind => ProviderKind.OpenAi;

    /// <summary>Drop stream chunks with an empty <c>choices</c> array and no usage (Azure's content-filter preamble).</summary>
    public virtual bool DropEmptyChoiceChunks => false;

    /// <summary>The upstream URL of the call, built once per deployment and operation and then reused.</summary>
    public Uri TargetFor(UpstreamCall call) =>
        call.Deployment.UpstreamUriCache[(int)call.Operation] ??= BuildTarget(call.Deployment, call.Operation);

    protected virtual Uri BuildTarget(Deployment deployment, Operation operation) => UpstreamUris.For(deployment.Provider.BaseUrl, operation);

    public virtual void Authenticate(HttpRequestHeaders headers, ProviderConfig provider)
    {
        if (provider.Credential.Secret is { } secret)
        {
            headers.Authorization = new AuthenticationHeaderValue("Bearer", secret);
        }
    }
}
