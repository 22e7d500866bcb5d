namespace ModelGateway.Configuration;

/// <summary>Which Azure OpenAI URL scheme a provider uses.</summary>
public enum AzureApiSurface
{
    /// <summary><c>{endpoint}/openai/deployments/{deployment}/chat/completions?api-version=...</c>; the deployment is the upstream model.</summary>
    Deployments,

    /// <summary><c>{endpoint}/openai/v1/chat/completions</c>, no api-version; <c>model</c> names the deployment.</summary>
    V1,
}
