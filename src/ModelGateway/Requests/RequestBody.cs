using System.Buffers;
using Microsoft.AspNetCore.Http.Features;

namespace ModelGateway.Requests;

/// <summary>
/// A client request body read once into a pooled buffer. The gateway parses it in place and forwards the same
/// bytes (or a spliced copy), so nothing is serialised twice. Returned to the pool when its owner disposes it.
/// </summary>
internal sealed class RequestBody : IDisposable
{
    private const int InitialSize = 4096;
    private byte[] _buffer;

    private RequestBody(byte[] buffer, int length)
    {
        _buffer = buffer;
        Length = length;
    }

    public int Length { get; }

    public ReadOnlyMemory<byte> Memory => _buffer.AsMemory(0, Length);

    public ReadOnlySpan<byte> Span => _buffer.AsSpan(0, Length);

    public ArraySegment<byte> Segment => new(_buffer, 0, Length);

    public void Dispose()
    {
        var buffer = Interlocked.Exchange(ref _buffer, []);
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>A body from bytes the gateway already holds (an admin dry-run sample).</summary>
    public static RequestBody Copy(ReadOnlySpan<byte> bytes)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Max(bytes.Length, 1));
        bytes.CopyTo(buffer);
        return new RequestBody(buffer, bytes.Length);
    }

    /// <summary>Reads the whole body, enforcing <paramref name="limit"/>; on failure returns the error to send.</summary>
    public static async ValueTask<(RequestBody? Body, GatewayError? Error)> ReadAsync(HttpContext context, long limit)
    {
        var request = context.Request;
        if (request.ContentLength > limit)
        {
            return (null, GatewayError.BodyTooLarge(limit));
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } sizeFeature)
        {
            // We enforce the limit ourselves, from configuration that can change at run time.
            sizeFeature.MaxRequestBodySize = null;
        }

        // Read at most one byte past the limit: that byte proves the body is too large.
        var cap = limit + 1;
        var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Min(cap, request.ContentLength is { } declared ? Math.Max(declared, 1) : InitialSize));
        var length = 0;
        try
        {
            while (true)
            {
                if (length == buffer.Length)
                {
                    var larger = ArrayPool<byte>.Shared.Rent((int)Math.Min(cap, (long)buffer.Length * 2));
                    buffer.AsSpan(0, length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }

                var read = await request.Body.ReadAsync(buffer.AsMemory(length, (int)Math.Min(buffer.Length - length, cap - length)), context.RequestAborted);
                if (read == 0)
                {
                    break;
                }

                length += read;
                if (length > limit)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    return (null, GatewayError.BodyTooLarge(limit));
                }
            }
        }
        catch (BadHttpRequestException ex)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            return (null, new GatewayError(ex.StatusCode, "invalid_request_error", null, "The request body could not be read: " + ex.Message));
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }

        // The caller owns the body: the request object built from it returns it to the pool when its last user is done.
        return (new RequestBody(buffer, length), null);
    }
}
