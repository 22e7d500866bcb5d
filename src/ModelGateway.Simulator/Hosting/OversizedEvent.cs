using System.Buffers;
using System.IO.Pipelines;

namespace ModelGateway.Simulator.Hosting;

/// <summary>Writes the endless event of an <see cref="FaultKind.OversizedEvent"/> fault: <c>data: </c> and then bytes with no line end.</summary>
internal static class OversizedEvent
{
    private const int Piece = 64 * 1024;

    public static async Task WriteAsync(HttpContext context, PipeWriter pipe, long bytes)
    {
        var cancellationToken = context.RequestAborted;
        pipe.Write("data: "u8);
        for (var left = bytes; left > 0; left -= Piece)
        {
            var length = (int)Math.Min(Piece, left);
            pipe.GetSpan(length)[..length].Fill((byte)'a');
            pipe.Advance(length);
            var flush = await pipe.FlushAsync(cancellationToken);
            if (flush.IsCompleted || flush.IsCanceled)
            {
                // The reader went away mid-event: that is what a gateway bounding events must do.
                SimulatorRequestFeature.Get(context).OnClientStoppedReading();
                return;
            }
        }
    }
}
