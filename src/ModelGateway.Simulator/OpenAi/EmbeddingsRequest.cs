namespace ModelGateway.Simulator.OpenAi;

/// <summary>A parsed <c>POST /v1/embeddings</c> request.</summary>
internal sealed record EmbeddingsRequest(string Model, IReadOnlyList<EmbeddingInput> Inputs, bool Base64, int Dimensions);
