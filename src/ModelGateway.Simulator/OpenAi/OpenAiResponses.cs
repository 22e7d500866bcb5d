using System.Buffers;
using System.Globalization;
using System.Text.Json;
using ModelGateway.Simulator.Hosting;

namespace ModelGateway.Simulator.OpenAi;

/// <summary>Writes whole JSON response bodies: successful ones (which body faults can cut or truncate) and errors.</summary>
internal static class OpenAiResponses
{
    /// <summary>
    /// Writes a 200 JSON body. A cut fault aborts the connection before anything is sent; a truncate fault sends
    /// the first half of the body (chunked, no Content-Length) and ends cleanly.
    /// </summary>
    public static Task WriteJsonAsync<TState>(HttpContext context, TState state, Action<Utf8JsonWriter, TState> write)
    {
        var feature = SimulatorRequestFeature.Get(context);
        switch (feature.BodyFault?.Kind)
        {
            case FaultKind.CutStream:
                feature.AbortConnection(context);
                return Task.CompletedTask;
            case FaultKind.TruncateStream:
                return WriteAsync(context, StatusCodes.Status200OK, state, write, truncate: true);
            default:
                return WriteAsync(context, StatusCodes.Status200OK, state, write, truncate: false);
        }
    }

    public static Task WriteErrorAsync(HttpContext context, OpenAiError error, int? retryAfterSeconds = null)
    {
        if (retryAfterSeconds is { } seconds)
        {
            context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        }

        return WriteAsync(context, error.Status, error, static (writer, e) => e.WriteTo(writer), truncate: false);
    }

    private static async Task WriteAsync<TState>(
        HttpContext context, int status, TState state, Action<Utf8JsonWriter, TState> write, bool truncate)
    {
        var response = context.Response;
        response.StatusCode = status;
        response.ContentType = "application/json";
        CopyToBody(response, state, write, truncate);
        await response.BodyWriter.FlushAsync(context.RequestAborted);
    }

    private static void CopyToBody<TState>(HttpResponse response, TState state, Action<Utf8JsonWriter, TState> write, bool truncate)
    {
        var buffer = PooledJsonBuffer.Rent();
        try
        {
            write(buffer.Writer, state);
            buffer.Writer.Flush();
            var body = buffer.WrittenSpan;
            if (truncate)
            {
                body = body[..(body.Length / 2)];
            }
            else
            {
                response.ContentLength = body.Length;
            }

            response.BodyWriter.Write(body);
        }
        finally
        {
            PooledJsonBuffer.Return(buffer);
        }
    }
}
