namespace ModelGateway.Admin;

/// <summary>
/// Polls the document store for a version this replica missed. Redis pub/sub is the fast path (well under a
/// second); polling covers a notification lost during a reconnect, and file stores shared by several processes.
/// </summary>
internal sealed class AdminStoreSync : BackgroundService
{
    private readonly AdminConfigService _service;
    private readonly TimeProvider _timeProvider;
    private readonly TimeSpan _interval;

    public AdminStoreSync(AdminConfigService service, AdminOptions options, TimeProvider timeProvider)
    {
        _service = service;
        _timeProvider = timeProvider;
        _interval = options.PollInterval > TimeSpan.Zero ? options.PollInterval : TimeSpan.FromSeconds(5);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(_interval, _timeProvider, stoppingToken);
                await _service.EnsureSubscribedAsync(stoppingToken);
                await _service.RefreshAsync(0, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
        }
    }
}
