using ModelGateway.Configuration;
using ModelGateway.Pipeline;

namespace ModelGateway.Quotas;

/// <summary>Before the server accepts requests: creates the quota stores, waits (bounded) for Redis, loads the tokenizer.</summary>
internal sealed class QuotaStartup : IHostedService
{
    private static readonly TimeSpan ConnectWait = TimeSpan.FromSeconds(5);
    private readonly QuotaStores _stores;
    private readonly IGatewayConfigStore _config;

    public QuotaStartup(QuotaStores stores, IGatewayConfigStore config)
    {
        _stores = stores;
        _config = config;
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var connecting = _stores.WaitForConnectionAsync(ConnectWait, cancellationToken);
        var config = _config.Current.Config;
        if (config.Quotas.UseTokenizer && config.HasQuotaLimits())
        {
            // Loading the vocabulary takes a second or more (and tens of MB): pay it here, not on the first
            // request, and only when some request will need an estimate.
            await Task.Run(() => PromptTokenEstimator.Estimate("{}"u8, useTokenizer: true), cancellationToken);
        }

        await connecting;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
