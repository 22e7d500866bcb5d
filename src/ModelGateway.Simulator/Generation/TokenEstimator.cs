namespace ModelGateway.Simulator.Generation;

/// <summary>The simulator's deterministic token arithmetic: about four UTF-8 bytes a token.</summary>
internal static class TokenEstimator
{
    public const int PerMessage = 4;

    public static int Prompt(long textBytes, int messageCount) =>
        (int)Math.Clamp((textBytes / 4) + ((long)PerMessage * messageCount), 1, int.MaxValue);

    public static int Text(int utf8Bytes) => Math.Max(1, utf8Bytes / 4);
}
