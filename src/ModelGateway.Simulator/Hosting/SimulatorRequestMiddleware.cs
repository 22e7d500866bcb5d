using System.Globalization;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace ModelGateway.Simulator.Hosting;

/// <summary>
/// First in the pipeline: gives every request an id, stamps <c>x-simulator</c> and <c>x-request-id</c> on every
/// response, and logs unexpected errors (Kestrel's own application-error log is silenced, because a simulated
/// connection cut is an exception on purpose).
/// </summary>
internal sealed class SimulatorRequestMiddleware(
    RequestDelegate next, IOptions<SimulatorOptions> options, ILogger<SimulatorRequestMiddleware> logger)
{
    private readonly StringValues _name = options.Value.Name;
    private readonly uint _nonce = (uint)Random.Shared.Next();
    private long _sequence;

    public async Task InvokeAsync(HttpContext context)
    {
        var sequence = Interlocked.Increment(ref _sequence);
        var requestId = string.Create(CultureInfo.InvariantCulture, $"sim-{_nonce:x8}{sequence:x8}");
        var feature = new SimulatorRequestFeature(requestId);
        context.Features.Set(feature);
        var headers = context.Response.Headers;
        headers[SimulatorHeaders.Simulator] = _name;
        headers[SimulatorHeaders.RequestId] = requestId;
        try
        {
            await next(context);
        }
        catch (Exception exception) when (
            exception is not BadHttpRequestException && !feature.SelfAborted && !context.RequestAborted.IsCancellationRequested)
        {
            SimulatorLog.UnexpectedError(logger, exception, context.Request.Method, context.Request.Path);
            throw;
        }
    }
}
