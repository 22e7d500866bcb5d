using System.Security.Cryptography;

namespace ModelGateway.Requests;

/// <summary>
/// Cheap unique ids for requests and decisions: a random per-process prefix (so replicas do not collide) and a
/// counter, in hex. One string allocation per id; no random-number syscall or GUID formatting per request.
/// </summary>
internal static class UniqueIds
{
    private static readonly uint ProcessPrefix = (uint)RandomNumberGenerator.GetInt32(int.MinValue, int.MaxValue);
    private static long _counter = RandomNumberGenerator.GetInt32(int.MaxValue);

    /// <summary>e.g. <c>req_5f3a9c01000000000000a41f</c>: the prefix, 8 hex digits of process, 16 of sequence.</summary>
    public static string Next(string prefix)
    {
        var sequence = (ulong)Interlocked.Increment(ref _counter);
        return string.Create(prefix.Length + 24, (prefix, sequence), static (span, state) =>
        {
            state.prefix.CopyTo(span);
            ProcessPrefix.TryFormat(span[state.prefix.Length..], out _, "x8");
            state.sequence.TryFormat(span[(state.prefix.Length + 8)..], out _, "x16");
        });
    }
}
