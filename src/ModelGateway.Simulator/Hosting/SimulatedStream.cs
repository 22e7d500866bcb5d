using System.Buffers;
using System.IO.Pipelines;
using System.Text.Json;
using ModelGateway.Simulator.OpenAi;

namespace ModelGateway.Simulator.Hosting;

/// <summary>
/// An event stream in a native provider format: each event is written and flushed on its own, with the configured
/// delay between events, and the request's cut or truncate fault applied after its event count.
/// </summary>
internal sealed class SimulatedStream : IAsyncDisposable
{
    private readonly HttpContext _context;
    private readonly SimulatorRequestFeature _feature;
    private readonly PipeWriter _pipe;
    private readonly TimeSpan _delay;
    private readonly TimeProvider _timeProvider;
    private readonly int _limit;
    private readonly byte[] _separator;
    private int _sent;

    private SimulatedStream(HttpContext context, int chunkDelayMs, TimeProvider timeProvider, byte[] separator)
    {
        _context = context;
        _feature = SimulatorRequestFeature.Get(context);
        _pipe = context.Response.BodyWriter;
        _delay = TimeSpan.FromMilliseconds(chunkDelayMs);
        _timeProvider = timeProvider;
        _separator = separator;
        var fault = _feature.BodyFault;
        _limit = fault?.Kind is FaultKind.CutStream or FaultKind.TruncateStream or FaultKind.OversizedEvent ? fault.AfterChunks : int.MaxValue;
        Json = new Utf8JsonWriter(_pipe, OpenAiJson.WriterOptions);
    }

    public Utf8JsonWriter Json { get; }

    /// <summary>False once the fault's event count is reached or the client has gone: stop writing.</summary>
    public bool Open { get; private set; } = true;

    public static async Task<SimulatedStream> StartAsync(HttpContext context, int chunkDelayMs, TimeProvider timeProvider, string separator = "\n\n")
    {
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        await response.StartAsync(context.RequestAborted);
        return new SimulatedStream(context, chunkDelayMs, timeProvider, System.Text.Encoding.ASCII.GetBytes(separator));
    }

    /// <summary>Writes one event (<c>event:</c> line when named, then <c>data:</c>) and flushes it.</summary>
    public async Task WriteAsync(string? eventName, Action<Utf8JsonWriter> data)
    {
        if (!Open)
        {
            return;
        }

        if (_sent == _limit)
        {
            Open = false;
            if (_feature.BodyFault?.Kind == FaultKind.CutStream)
            {
                throw _feature.BreakConnection($"connection cut after {_sent} stream events.");
            }

            if (_feature.BodyFault is { Kind: FaultKind.OversizedEvent } oversized)
            {
                await OversizedEvent.WriteAsync(_context, _pipe, oversized.EventBytes);
            }

            return;
        }

        if (_sent > 0 && _delay > TimeSpan.Zero)
        {
            await Task.Delay(_delay, _timeProvider, _context.RequestAborted);
        }

        if (eventName is not null)
        {
            _pipe.Write("event: "u8);
            _pipe.Write(System.Text.Encoding.UTF8.GetBytes(eventName));
            _pipe.Write("\n"u8);
        }

        _pipe.Write("data: "u8);
        Json.Reset();
        data(Json);
        Json.Flush();
        _pipe.Write(_separator);
        _sent++;
        var flush = await _pipe.FlushAsync(_context.RequestAborted);
        Open = !flush.IsCompleted && !flush.IsCanceled;
    }

    /// <summary>Ends a stream that ran to completion; a cut fault set for exactly this many events breaks it here.</summary>
    public void Complete()
    {
        if (Open && _sent == _limit && _feature.BodyFault?.Kind == FaultKind.CutStream)
        {
            throw _feature.BreakConnection($"connection cut after {_sent} stream events.");
        }
    }

    public ValueTask DisposeAsync() => Json.DisposeAsync();
}
