namespace ModelGateway.Simulator.Generation;

/// <summary>Deterministic unit-length vectors: the same seed always gives the same vector.</summary>
internal static class EmbeddingVector
{
    public static void Fill(ulong seed, Span<float> vector)
    {
        var state = seed;
        var sumOfSquares = 0d;
        for (var i = 0; i < vector.Length; i++)
        {
            state = StableHash.SplitMix(state);
            var value = (float)(((state >> 11) * (1d / (1UL << 53)) * 2) - 1);
            vector[i] = value;
            sumOfSquares += (double)value * value;
        }

        if (sumOfSquares == 0)
        {
            vector.Clear();
            vector[0] = 1;
            return;
        }

        var scale = (float)(1 / Math.Sqrt(sumOfSquares));
        for (var i = 0; i < vector.Length; i++)
        {
            vector[i] *= scale;
        }
    }
}
