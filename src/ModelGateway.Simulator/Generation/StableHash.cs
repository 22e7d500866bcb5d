using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace ModelGateway.Simulator.Generation;

/// <summary>
/// Hashes that are the same on every run, process and machine (unlike <see cref="string.GetHashCode()"/>):
/// FNV-1a 64 over UTF-8 bytes, and SplitMix64 to derive further values from a seed.
/// </summary>
internal static class StableHash
{
    private const ulong OffsetBasis = 14695981039346656037;
    private const ulong Prime = 1099511628211;
    private const int StackLimit = 512;

    public static ulong Of(ReadOnlySpan<byte> data, ulong hash = OffsetBasis)
    {
        foreach (var b in data)
        {
            hash = (hash ^ b) * Prime;
        }

        return hash;
    }

    public static ulong Of(string text)
    {
        var length = Encoding.UTF8.GetMaxByteCount(text.Length);
        byte[]? rented = null;
        var buffer = length <= StackLimit ? stackalloc byte[StackLimit] : (rented = ArrayPool<byte>.Shared.Rent(length));
        try
        {
            var written = Encoding.UTF8.GetBytes(text, buffer);
            return Of(buffer[..written]);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>Hashes token ids as little-endian 32-bit integers.</summary>
    public static ulong Of(ReadOnlySpan<int> tokens)
    {
        var hash = OffsetBasis;
        Span<byte> bytes = stackalloc byte[sizeof(int)];
        foreach (var token in tokens)
        {
            BinaryPrimitives.WriteInt32LittleEndian(bytes, token);
            hash = Of(bytes, hash);
        }

        return hash;
    }

    /// <summary>Derives a well-mixed value from a seed and a position.</summary>
    public static ulong Mix(ulong seed, ulong position) => SplitMix(seed ^ (position * 0x9E3779B97F4A7C15));

    public static ulong SplitMix(ulong value)
    {
        value += 0x9E3779B97F4A7C15;
        value = (value ^ (value >> 30)) * 0xBF58476D1CE4E5B9;
        value = (value ^ (value >> 27)) * 0x94D049BB133111EB;
        return value ^ (value >> 31);
    }
}
