namespace ModelGateway.Requests;

/// <summary>Response headers the gateway adds to every response.</summary>
internal static class GatewayHeaders
{
    public const string RequestId = "x-request-id";
    public const string Provider = "x-gateway-provider";
    public const string Deployment = "x-gateway-deployment";
    public const string UpstreamRequestId = "x-upstream-request-id";
    public const string DecisionId = "x-gateway-decision-id";
    public const string Attempts = "x-gateway-attempts";
}
