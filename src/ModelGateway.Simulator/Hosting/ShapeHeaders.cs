using ModelGateway.Simulator.Generation;

namespace ModelGateway.Simulator.Hosting;

/// <summary>Reads the <c>x-sim-*</c> headers that shape a reply, for the native-format endpoints.</summary>
internal static class ShapeHeaders
{
    /// <summary>Returns the problem with a header, or null with the shape and the delay between streamed events.</summary>
    public static string? Read(IHeaderDictionary headers, SimulatorOptions options, out ReplyShape shape, out int chunkDelayMs)
    {
        shape = default;
        chunkDelayMs = 0;
        if (!SimulatorHeaderReader.TryReadInt(headers, SimulatorHeaders.Chunks, 1, SimulatorOptionsValidator.MaxChunks, options.DefaultChunks, out var words))
        {
            return $"{SimulatorHeaders.Chunks} must be an integer between 1 and {SimulatorOptionsValidator.MaxChunks}.";
        }

        if (!SimulatorHeaderReader.TryReadInt(headers, SimulatorHeaders.ToolCalls, 1, 128, 1, out var toolCalls))
        {
            return $"{SimulatorHeaders.ToolCalls} must be an integer between 1 and 128.";
        }

        if (!SimulatorHeaderReader.TryReadInt(headers, SimulatorHeaders.ChunkDelayMs, 0, 60_000, options.ChunkDelayMs, out chunkDelayMs))
        {
            return $"{SimulatorHeaders.ChunkDelayMs} must be an integer between 0 and 60000.";
        }

        shape = new ReplyShape(options.Name, words, toolCalls);
        return null;
    }
}
