using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace ModelGateway.Simulator.Profiles;

/// <summary>The answer profile of each model: set at run time first, then configured; none for most models.</summary>
internal sealed class AnswerProfiles(IOptions<SimulatorOptions> options)
{
    private readonly ConcurrentDictionary<string, AnswerProfile> _runtime = new(StringComparer.Ordinal);
    private readonly IDictionary<string, AnswerProfile> _configured = options.Value.Profiles;

    public AnswerProfile? For(string model) =>
        _runtime.TryGetValue(model, out var profile) ? profile : _configured.TryGetValue(model, out profile) ? profile : null;

    public IReadOnlyDictionary<string, AnswerProfile> All()
    {
        var all = new Dictionary<string, AnswerProfile>(_configured, StringComparer.Ordinal);
        foreach (var (model, profile) in _runtime)
        {
            all[model] = profile;
        }

        return all;
    }

    public void Set(string model, AnswerProfile profile) => _runtime[model] = profile;

    public bool Remove(string model) => _runtime.TryRemove(model, out _);

    /// <summary>The profile's wait before a response starts; nothing without a profile.</summary>
    public static Task DelayAsync(AnswerProfile? profile, TimeProvider timeProvider, CancellationToken cancellationToken) =>
        profile is { LatencyMs: > 0 } ? Task.Delay(TimeSpan.FromMilliseconds(profile.LatencyMs), timeProvider, cancellationToken) : Task.CompletedTask;

    /// <summary>The delay between streamed chunks: the request's header first, then the profile's, then the configured one.</summary>
    public static int ChunkDelay(AnswerProfile? profile, IHeaderDictionary headers, int configuredOrHeader) =>
        profile?.ChunkDelayMs is { } delay && !headers.ContainsKey(Hosting.SimulatorHeaders.ChunkDelayMs) ? delay : configuredOrHeader;

    /// <summary>Whether a choice with probability <paramref name="share"/> is taken for this prompt (deterministic).</summary>
    public static bool Hits(AnswerProfile? profile, double share, string seedText, ulong salt)
    {
        if (profile is null || share <= 0)
        {
            return false;
        }

        var hash = Generation.StableHash.Mix(Generation.StableHash.Of(seedText) ^ profile.Seed, salt);
        return (hash >> 11) * (1.0 / (1UL << 53)) < share;
    }
}
