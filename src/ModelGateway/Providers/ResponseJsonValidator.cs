using System.Buffers;
using System.Text.Json;

namespace ModelGateway.Providers;

/// <summary>
/// Checks, block by block, that a response body is exactly one JSON object (optionally surrounded by white
/// space). Only the bytes of a token split across blocks are carried over, so a body of any size is checked in
/// a bounded buffer; a single token larger than <see cref="MaxCarryBytes"/> counts as invalid.
/// </summary>
internal sealed class ResponseJsonValidator : IDisposable
{
    public const int MaxCarryBytes = 8 * 1024 * 1024;

    private static readonly JsonReaderOptions Options = new() { MaxDepth = 256 };

    private JsonReaderState _state = new(Options);
    private byte[] _carry = [];
    private int _carried;
    private bool _started;
    private bool _failed;

    /// <summary>Checks one block; <paramref name="isFinal"/> marks the end of the body. False once the body is known to be invalid.</summary>
    public bool Feed(ReadOnlySpan<byte> block, bool isFinal)
    {
        if (_failed)
        {
            return false;
        }

        var input = block;
        if (_carried > 0)
        {
            if (_carried + block.Length > MaxCarryBytes)
            {
                return Fail();
            }

            Reserve(_carried + block.Length);
            block.CopyTo(_carry.AsSpan(_carried));
            input = _carry.AsSpan(0, _carried + block.Length);
        }

        var reader = new Utf8JsonReader(input, isFinal, _state);
        try
        {
            while (reader.Read())
            {
                if (!_started)
                {
                    _started = true;
                    if (reader.TokenType != JsonTokenType.StartObject)
                    {
                        return Fail();
                    }
                }
            }
        }
        catch (JsonException)
        {
            return Fail();
        }

        if (isFinal)
        {
            // A final block that reads to its end without an exception is one complete value.
            return _started || Fail();
        }

        _state = reader.CurrentState;
        var rest = input[(int)reader.BytesConsumed..];
        if (rest.Length > MaxCarryBytes)
        {
            return Fail();
        }

        Reserve(rest.Length);
        rest.CopyTo(_carry);
        _carried = rest.Length;
        return true;
    }

    /// <summary>True when the whole of <paramref name="body"/> is one JSON object.</summary>
    public static bool IsJsonObject(ReadOnlySpan<byte> body)
    {
        using var validator = new ResponseJsonValidator();
        return validator.Feed(body, isFinal: true);
    }

    public void Dispose()
    {
        var carry = Interlocked.Exchange(ref _carry, []);
        if (carry.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(carry);
        }
    }

    private void Reserve(int length)
    {
        if (_carry.Length >= length)
        {
            return;
        }

        var larger = ArrayPool<byte>.Shared.Rent(Math.Max(length, 4096));
        _carry.AsSpan(0, _carried).CopyTo(larger);
        if (_carry.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_carry);
        }

        _carry = larger;
    }

    private bool Fail()
    {
        _failed = true;
        return false;
    }
}
