using System.Buffers;

namespace ModelGateway.Providers.OpenAi;

/// <summary>A byte buffer rented from the shared pool; returned on dispose.</summary>
internal sealed class PooledBytes : IDisposable
{
    private byte[] _array;

    public PooledBytes(int length)
    {
        _array = ArrayPool<byte>.Shared.Rent(length);
        Length = length;
    }

    public int Length { get; }

    public byte[] Array => _array;

    public Span<byte> Span => _array.AsSpan(0, Length);

    public void Dispose()
    {
        var array = Interlocked.Exchange(ref _array, []);
        if (array.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(array);
        }
    }
}
