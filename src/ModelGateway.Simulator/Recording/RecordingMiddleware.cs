using System.Text;
using Microsoft.Extensions.Options;
using ModelGateway.Simulator.Hosting;

namespace ModelGateway.Simulator.Recording;

/// <summary>
/// Records provider calls (when enabled) and watches for clients that go away before the response is done.
/// </summary>
internal sealed class RecordingMiddleware(
    RequestDelegate next, SimulatorState state, IOptions<SimulatorOptions> options, TimeProvider timeProvider)
{
    private readonly bool _record = options.Value.RecordRequests;

    public async Task InvokeAsync(HttpContext context)
    {
        var feature = SimulatorRequestFeature.Get(context);
        feature.State = state;
        var registration = context.RequestAborted.Register(
            static f => ((SimulatorRequestFeature)f!).OnRequestAborted(), feature);
        try
        {
            if (_record)
            {
                feature.Record = await CaptureAsync(context, feature);
                state.Record(feature.Record);
            }

            await next(context);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away; OnRequestAborted has counted it. Nothing is left to send.
        }
        finally
        {
            feature.MarkCompleted();
            await registration.DisposeAsync();
        }
    }

    private async Task<ReceivedRequest> CaptureAsync(HttpContext context, SimulatorRequestFeature feature)
    {
        var request = context.Request;
        var receivedAt = timeProvider.GetUtcNow();
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, context.RequestAborted);
        var body = new ReadOnlyMemory<byte>(buffer.GetBuffer(), 0, (int)buffer.Length);
        feature.BufferedBody = body;

        var headers = new Dictionary<string, string>(request.Headers.Count, StringComparer.OrdinalIgnoreCase);
        foreach (var (name, values) in request.Headers)
        {
            headers[name.ToLowerInvariant()] = values.ToString();
        }

        return new ReceivedRequest(
            request.Method,
            request.Path.Value ?? string.Empty,
            request.QueryString.Value ?? string.Empty,
            headers,
            Encoding.UTF8.GetString(body.Span),
            receivedAt);
    }
}
