namespace ModelGateway.Pipeline;

/// <summary>
/// Told about every request when it ends (after the last byte of a stream), with what the gateway learned about it.
/// Metrics listen here. Called on the request path, so it must be quick and must not throw.
/// </summary>
internal interface IRequestCompletionListener
{
    void OnRequestCompleted(HttpContext context, GatewayRequestFeature feature);
}
