using System.Buffers;
using System.Text.Json;

namespace ModelGateway.Simulator.OpenAi;

/// <summary>
/// A per-thread reusable buffer and JSON writer for whole (non-streamed) response bodies. Rent and return it
/// around synchronous code only.
/// </summary>
internal sealed class PooledJsonBuffer
{
    private const int MaxRetainedBytes = 1 << 20;

    [ThreadStatic]
    private static PooledJsonBuffer? _cached;

    private readonly ArrayBufferWriter<byte> _buffer = new(4096);

    private PooledJsonBuffer() => Writer = new Utf8JsonWriter(_buffer, OpenAiJson.WriterOptions);

    public Utf8JsonWriter Writer { get; }

    public ReadOnlySpan<byte> WrittenSpan => _buffer.WrittenSpan;

    public static PooledJsonBuffer Rent()
    {
        var buffer = _cached ?? new PooledJsonBuffer();
        _cached = null;
        return buffer;
    }

    public static void Return(PooledJsonBuffer buffer)
    {
        if (buffer._buffer.Capacity > MaxRetainedBytes)
        {
            return;
        }

        buffer.Writer.Reset();
        buffer._buffer.ResetWrittenCount();
        _cached = buffer;
    }
}
