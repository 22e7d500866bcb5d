using ModelGateway.Configuration;
using ModelGateway.Requests;

namespace ModelGateway.Providers;

/// <summary>
/// Speaks one kind of provider API. An adapter writes the client response itself when it succeeds (so it can
/// stream), and returns a failure value without touching the response when the next deployment may be tried.
/// </summary>
internal interface IProviderAdapter
{
    ProviderKind Kind { get; }

    bool Supports(Operation operation);

    ValueTask<UpstreamOutcome> SendAsync(UpstreamCall call);
}
