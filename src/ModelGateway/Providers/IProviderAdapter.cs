using ModelGateway.Configuration;
using ModelGateway.Requests;

namespace ModelGateway.Providers;

/// <summary>
/// Speaks one kind of provider API. An adapter writes its answer to the call's sink (never to the client's
/// HTTP context), and returns a failure value without starting the sink when the next deployment may be tried.
/// </summary>
internal interface IProviderAdapter
{
    ProviderKind Kind { get; }

    /// <summary>Whether this adapter can serve requests that arrived in <paramref name="protocol"/> (natively or translated).</summary>
    bool Supports(InboundProtocol protocol);

    /// <summary>
    /// Whether the deployment takes requests in <paramref name="protocol"/> as they are (pass-through: the client's
    /// bytes up, the upstream's answer back). When not, the adapter gets the canonical form and answers in it, and
    /// the inbound module renders that answer for the client.
    /// </summary>
    bool ServesNatively(InboundProtocol protocol, Deployment deployment);

    ValueTask<UpstreamOutcome> SendAsync(UpstreamCall call);
}
