namespace ModelGateway.Quotas;

/// <summary>Creates the quota stores before the server accepts requests, and waits (bounded) for Redis to connect.</summary>
internal sealed class QuotaStartup : IHostedService
{
    private static readonly TimeSpan ConnectWait = TimeSpan.FromSeconds(5);
    private readonly QuotaStores _stores;

    public QuotaStartup(QuotaStores stores) => _stores = stores;

    public Task StartAsync(CancellationToken cancellationToken) => _stores.WaitForConnectionAsync(ConnectWait, cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
