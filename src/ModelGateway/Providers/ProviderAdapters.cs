using ModelGateway.Configuration;
using ModelGateway.Requests;

namespace ModelGateway.Providers;

/// <summary>The registered adapters, indexed by provider kind.</summary>
internal sealed class ProviderAdapters
{
    private readonly IProviderAdapter?[] _byKind = new IProviderAdapter?[Enum.GetValues<ProviderKind>().Length];

    public ProviderAdapters(IEnumerable<IProviderAdapter> adapters)
    {
        foreach (var adapter in adapters)
        {
            _byKind[(int)adapter.Kind] = adapter;
        }
    }

    public IProviderAdapter? For(ProviderKind kind) => _byKind[(int)kind];

    public bool CanServe(Deployment deployment, InboundProtocol protocol) =>
        For(deployment.Provider.Kind) is { } adapter && adapter.Supports(protocol);
}
