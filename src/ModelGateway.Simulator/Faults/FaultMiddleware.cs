using ModelGateway.Simulator.Hosting;
using ModelGateway.Simulator.OpenAi;

namespace ModelGateway.Simulator.Faults;

/// <summary>
/// Applies the request's fault: from the <c>x-sim-fault</c> header if present (the queue is then left alone),
/// else the next queued one. Status, latency, reset and broken bodies act here; cut, truncate, oversized events and bad usage are handed to the endpoint.
/// </summary>
internal sealed class FaultMiddleware(RequestDelegate next, SimulatorState state, TimeProvider timeProvider)
{
    public Task InvokeAsync(HttpContext context)
    {
        FaultSpec? fault;
        if (context.Request.Headers.TryGetValue(SimulatorHeaders.Fault, out var header))
        {
            if (!FaultHeaderParser.TryParse(header.ToString(), out fault, out var error))
            {
                return OpenAiResponses.WriteErrorAsync(context, OpenAiErrors.InvalidHeader(SimulatorHeaders.Fault, error));
            }
        }
        else
        {
            fault = state.TakeFault();
        }

        return fault is null ? next(context) : ApplyAsync(context, fault);
    }

    private async Task ApplyAsync(HttpContext context, FaultSpec fault)
    {
        if (fault.LatencyMs > 0)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(fault.LatencyMs), timeProvider, context.RequestAborted);
        }

        var feature = SimulatorRequestFeature.Get(context);
        switch (fault.Kind)
        {
            case FaultKind.Status:
                var retryAfter = fault.Status is 429 or 503 ? fault.RetryAfterSeconds : null;
                await FaultErrors.WriteAsync(context, fault.Status, fault.Message, retryAfter);
                break;
            case FaultKind.Reset:
                feature.AbortConnection(context);
                break;
            case FaultKind.BrokenBody:
                await BrokenBodies.WriteAsync(context, fault.Body!);
                break;
            case FaultKind.CutStream or FaultKind.TruncateStream or FaultKind.OversizedEvent or FaultKind.BadUsage:
                feature.BodyFault = fault;
                await next(context);
                break;
            default:
                await next(context);
                break;
        }
    }
}
