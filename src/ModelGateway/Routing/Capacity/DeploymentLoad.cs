using System.Collections.Concurrent;
using System.Globalization;
using ModelGateway.Configuration;

namespace ModelGateway.Routing.Capacity;

/// <summary>
/// The load of every deployment with <c>Capacity</c> settings: the gateway's own in-flight count (exact, this
/// replica only) and the last metrics read from the server (all traffic, at most a poll interval old). Each gateway
/// replica keeps its own; see docs/routing.md for why that staleness is acceptable.
/// </summary>
internal sealed class DeploymentLoad
{
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly TimeProvider _timeProvider;

    public DeploymentLoad(TimeProvider timeProvider)
    {
        _timeProvider = timeProvider;
    }

    /// <summary>Counts an attempt in flight until the returned value is disposed.</summary>
    public InFlight Enter(Deployment deployment)
    {
        if (deployment.Config.Capacity is null)
        {
            return default;
        }

        var entry = EntryFor(deployment.Config.Id);
        Interlocked.Increment(ref entry.InFlight);
        return new InFlight(entry);
    }

    /// <summary>
    /// Takes a slot for an attempt only if the deployment is not saturated: the check and the count are one atomic
    /// step, so a burst cannot overshoot <c>MaxInFlight</c> between planning and sending. False: pass it over.
    /// </summary>
    public bool TryEnter(Deployment deployment, out InFlight slot)
    {
        slot = default;
        if (deployment.Config.Capacity is not { } capacity)
        {
            return true;
        }

        var entry = EntryFor(deployment.Config.Id);
        var count = Interlocked.Increment(ref entry.InFlight);
        if ((capacity.MaxInFlight is { } max && count > max) || ServerSaturated(capacity, Read(entry, capacity)) is not null)
        {
            Interlocked.Decrement(ref entry.InFlight);
            return false;
        }

        slot = new InFlight(entry);
        return true;
    }

    /// <summary>The deployment's load now; default figures when it has no capacity settings.</summary>
    public LoadFigures Figures(Deployment deployment) =>
        deployment.Config.Capacity is { } capacity ? Read(EntryFor(deployment.Config.Id), capacity) : default;

    /// <summary>Why the deployment is saturated (e.g. <c>waiting 3 >= 2</c>), or null when it has room.</summary>
    public static string? Saturation(CapacityConfig capacity, in LoadFigures load)
    {
        if (capacity.MaxInFlight is { } max && load.InFlight >= max)
        {
            return string.Create(CultureInfo.InvariantCulture, $"in_flight {load.InFlight} >= {max}");
        }

        return ServerSaturated(capacity, load);
    }

    /// <summary>Records a metrics read (from the poller).</summary>
    public void RecordServerLoad(string deploymentId, ServerLoad load) => EntryFor(deploymentId).Server = load;

    /// <summary>Records that the metrics could not be read: routing uses in-flight counts only until a read succeeds.</summary>
    public void RecordMetricsFailure(string deploymentId) => EntryFor(deploymentId).Server = null;

    private static string? ServerSaturated(CapacityConfig capacity, in LoadFigures load)
    {
        if (load.Server is not { } server)
        {
            return null;
        }

        if (capacity.MaxWaiting is { } maxWaiting && server.Waiting >= maxWaiting)
        {
            return string.Create(CultureInfo.InvariantCulture, $"waiting {server.Waiting} >= {maxWaiting}");
        }

        if (capacity.MaxKvCacheUsage is { } maxKv && server.KvCacheUsage >= maxKv)
        {
            return string.Create(CultureInfo.InvariantCulture, $"kv_cache_usage {server.KvCacheUsage:0.###} >= {maxKv}");
        }

        return null;
    }

    private LoadFigures Read(Entry entry, CapacityConfig capacity)
    {
        var inFlight = Volatile.Read(ref entry.InFlight);
        if (capacity.MetricsUrl is null)
        {
            return new LoadFigures(inFlight, null, MetricsState.None, null);
        }

        if (entry.Server is not { } server)
        {
            return new LoadFigures(inFlight, null, entry.EverRead ? MetricsState.Failing : MetricsState.Pending, null);
        }

        // A read older than three intervals is the poller falling behind or stuck: trust only in-flight counts.
        var age = _timeProvider.GetElapsedTime(server.ReadAtTimestamp);
        return age > capacity.PollInterval * 3
            ? new LoadFigures(inFlight, null, MetricsState.Failing, age.TotalMilliseconds)
            : new LoadFigures(inFlight, server, MetricsState.Ok, age.TotalMilliseconds);
    }

    private Entry EntryFor(string deploymentId) => _entries.GetOrAdd(deploymentId, static _ => new Entry());

    internal sealed class Entry
    {
        public int InFlight;
        private readonly Lock _gate = new();
        private ServerLoad? _server;
        private int _everRead;

        public bool EverRead => Volatile.Read(ref _everRead) == 1;

        public ServerLoad? Server
        {
            get
            {
                lock (_gate)
                {
                    return _server;
                }
            }

            set
            {
                lock (_gate)
                {
                    _server = value;
                }

                Volatile.Write(ref _everRead, 1);
            }
        }
    }

    /// <summary>One attempt in flight; disposing ends it. A default value counts nothing.</summary>
    internal readonly struct InFlight(Entry? entry) : IDisposable
    {
        public void Dispose()
        {
            if (entry is not null)
            {
                Interlocked.Decrement(ref entry.InFlight);
            }
        }
    }
}
