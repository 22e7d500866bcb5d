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

    ValueTask<UpstreamOutcome> SendAsync(UpstreamCall call);
}
