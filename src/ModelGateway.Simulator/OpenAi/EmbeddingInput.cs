using System.Text;
using ModelGateway.Simulator.Generation;

namespace ModelGateway.Simulator.OpenAi;

/// <summary>One input to embed: text, or token ids.</summary>
internal readonly record struct EmbeddingInput(string? Text, int[]? Tokens)
{
    public ulong Seed => Text is not null ? StableHash.Of(Text) : StableHash.Of(Tokens);

    public int TokenCount => Text is not null ? TokenEstimator.Text(Encoding.UTF8.GetByteCount(Text)) : Tokens?.Length ?? 0;
}
