using System.Collections.Concurrent;
using ModelGateway.Configuration;

namespace ModelGateway.Experiments;

/// <summary>
/// Each experiment's shadow spend on the current UTC day, for its <c>MaxShadowSpendUsdPerDay</c>. Starts the day
/// from what the ledger holds (so a restart, or another replica's spend already written, counts), then adds what
/// this replica spends. A call is admitted while the day's spend is under the cap, so the cap can be passed by at
/// most the calls in flight at the moment it is reached.
/// </summary>
internal sealed class ExperimentSpend
{
    private readonly ConcurrentDictionary<string, Day> _days = new(StringComparer.Ordinal);
    private readonly ExperimentStore _store;
    private readonly TimeProvider _timeProvider;

    public ExperimentSpend(ExperimentStore store, TimeProvider timeProvider)
    {
        _store = store;
        _timeProvider = timeProvider;
    }

    public async ValueTask<bool> TryAdmitAsync(ExperimentConfig experiment, CancellationToken cancellationToken)
    {
        var day = await TodayAsync(experiment.Id, cancellationToken);
        return day.SpentUsd < experiment.MaxShadowSpendUsdPerDay;
    }

    public async ValueTask AddAsync(string experimentId, decimal usd, CancellationToken cancellationToken)
    {
        if (usd > 0)
        {
            (await TodayAsync(experimentId, cancellationToken)).Add(usd);
        }
    }

    private async ValueTask<Day> TodayAsync(string experimentId, CancellationToken cancellationToken)
    {
        var today = DateOnly.FromDateTime(_timeProvider.GetUtcNow().UtcDateTime);
        if (_days.TryGetValue(experimentId, out var day) && day.Date == today)
        {
            return day;
        }

        decimal written;
        try
        {
            written = await _store.SpentAsync(experimentId, today, cancellationToken);
        }
        catch (Exception ex) when (ex is System.Data.Common.DbException or IOException or TimeoutException or InvalidOperationException)
        {
            // The ledger is away: count from zero rather than stop the experiment; the cap still holds for this replica's spend.
            written = 0m;
        }

        var fresh = new Day(today, written);
        return _days.AddOrUpdate(experimentId, fresh, (_, existing) => existing.Date == today ? existing : fresh);
    }

    private sealed class Day(DateOnly date, decimal spent)
    {
        private readonly Lock _lock = new();
        private decimal _spent = spent;

        public DateOnly Date { get; } = date;

        public decimal SpentUsd
        {
            get
            {
                lock (_lock)
                {
                    return _spent;
                }
            }
        }

        public void Add(decimal usd)
        {
            lock (_lock)
            {
                _spent += usd;
            }
        }
    }
}
