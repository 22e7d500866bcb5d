namespace ModelGateway.Requests;

/// <summary>The front-door operations an adapter can serve.</summary>
public enum Operation
{
    ChatCompletions,
    Embeddings,
}
