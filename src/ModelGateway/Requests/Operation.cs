namespace ModelGateway.Requests;

/// <summary>The front-door operations an adapter can serve.</summary>
public enum Operation
{
    ChatCompletions,
    Embeddings,

    /// <summary>OpenAI Responses API; translated to <see cref="ChatCompletions"/> for deployments that do not speak it.</summary>
    Responses,
}
