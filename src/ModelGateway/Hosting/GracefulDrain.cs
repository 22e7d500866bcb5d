using Microsoft.Extensions.Options;
using ModelGateway.FrontDoor;
using ModelGateway.Quotas;

namespace ModelGateway.Hosting;

/// <summary>
/// Drains on shutdown with the host's own machinery. ApplicationStopping marks the gateway as draining (so
/// <c>/readyz</c> turns 503 at once); <see cref="StoppingAsync"/> runs before any hosted service stops, so the server
/// keeps accepting requests for the grace period while load balancers take the replica out. Then Kestrel stops as
/// usual: listeners close (new connections are refused) and requests in flight finish within
/// <see cref="HostOptions.ShutdownTimeout"/>, which <see cref="DrainServices"/> sets to grace period plus drain timeout.
/// When that runs out, what is left is cut; the server stops first (it is the host's last service), so
/// <see cref="StopAsync"/> then gives the cut requests' quota settlements up to <see cref="QuotaDrain.SettleTimeout"/>
/// before the quota services and the Redis connection stop.
/// </summary>
internal sealed partial class GracefulDrain(
    DrainState state, IHostApplicationLifetime lifetime, IOptions<ShutdownOptions> options, QuotaDrain quotas, TimeProvider time,
    ILogger<GracefulDrain> logger)
    : IHostedLifecycleService
{
    private CancellationTokenRegistration _cut;

    public Task StartingAsync(CancellationToken cancellationToken)
    {
        lifetime.ApplicationStopping.Register(() =>
        {
            state.Begin();
            LogDraining(logger, options.Value.GracePeriod, options.Value.DrainTimeout);
        });
        return Task.CompletedTask;
    }

    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        // The host's stop token fires when grace period plus drain timeout have passed: the server then cuts what is left.
        _cut = cancellationToken.Register(static drain => ((QuotaDrain)drain!).Cut(), quotas);
        var grace = options.Value.GracePeriod;
        if (grace > TimeSpan.Zero)
        {
            try
            {
                await Task.Delay(grace, time, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                // The shutdown timeout ran out first (or a second signal): stop now.
            }
        }

        LogClosing(logger);
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Runs once the server has stopped (its requests finished or cut): settles their quota holds before Redis closes.</summary>
    public Task StopAsync(CancellationToken cancellationToken) => quotas.SettleAsync(QuotaDrain.SettleTimeout);

    public Task StoppedAsync(CancellationToken cancellationToken)
    {
        _cut.Dispose();
        return Task.CompletedTask;
    }

    [LoggerMessage(EventId = 1600, Level = LogLevel.Information,
        Message = "Shutdown requested: /readyz now answers 503; new requests are served for {GracePeriod}, then in-flight requests get up to {DrainTimeout}")]
    private static partial void LogDraining(ILogger logger, TimeSpan gracePeriod, TimeSpan drainTimeout);

    [LoggerMessage(EventId = 1601, Level = LogLevel.Information, Message = "Grace period over: closing listeners and draining requests in flight")]
    private static partial void LogClosing(ILogger logger);
}
