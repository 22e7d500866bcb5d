namespace ModelGateway.Simulator.Hosting;

/// <summary>Header names the simulator reads and writes.</summary>
internal static class SimulatorHeaders
{
    public const string Simulator = "x-simulator";
    public const string RequestId = "x-request-id";
    public const string Chunks = "x-sim-chunks";
    public const string ToolCalls = "x-sim-tool-calls";
    public const string ChunkDelayMs = "x-sim-chunk-delay-ms";
    public const string Fault = "x-sim-fault";
    public const string PromptTokens = "x-sim-prompt-tokens";
    public const string CachedTokens = "x-sim-cached-tokens";
}
