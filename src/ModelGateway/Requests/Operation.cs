namespace ModelGateway.Requests;

/// <summary>The front-door operations an adapter can serve.</summary>
public enum Operation
{
    ChatCompletions,
    Embeddings,

    /// <summary>OpenAI Responses API; translated to <see cref="ChatCompletions"/> for deployments that do not speak it.</summary>
    Responses,

    /// <summary>OpenAI legacy text completions; served only by deployments with the <c>completions</c> capability, never translated.</summary>
    Completions,
}
