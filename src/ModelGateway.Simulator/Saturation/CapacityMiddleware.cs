namespace ModelGateway.Simulator.Saturation;

/// <summary>Puts every provider API call that generates (a POST) through the <see cref="CapacityGate"/>.</summary>
internal sealed class CapacityMiddleware(RequestDelegate next, CapacityGate gate)
{
    public Task InvokeAsync(HttpContext context) =>
        HttpMethods.IsPost(context.Request.Method)
            ? gate.RunAsync(() => next(context), context.RequestAborted)
            : next(context);
}
