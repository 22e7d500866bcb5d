using ModelGateway.FrontDoor.Protocols;

namespace ModelGateway.FrontDoor;

/// <summary>The path every inference endpoint takes: its module builds the request object once, the dispatcher serves it.</summary>
internal static class FrontDoorPipeline
{
    public static async Task ServeAsync(HttpContext context, IInboundModule module)
    {
        if (await GatewayRequestReader.ReadAsync(context, module) is not { } request)
        {
            return;
        }

        await context.RequestServices.GetRequiredService<UpstreamDispatcher>().DispatchAsync(context, request);
    }
}
