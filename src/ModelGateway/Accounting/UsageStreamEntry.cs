using System.Globalization;
using StackExchange.Redis;

namespace ModelGateway.Accounting;

/// <summary>A <see cref="UsageRecord"/> as the fields of one Redis stream entry, and back.</summary>
internal static class UsageStreamEntry
{
    public static NameValueEntry[] Fields(UsageRecord record) =>
    [
        new("ts", record.Timestamp.ToUnixTimeMilliseconds()),
        new("req", record.RequestId),
        new("key", record.KeyId),
        new("team", record.TeamId ?? string.Empty),
        new("model", record.Model),
        new("provider", record.ProviderId),
        new("deployment", record.DeploymentId),
        new("op", record.Operation),
        new("prompt", record.Usage.PromptTokens),
        new("cached", record.Usage.CachedPromptTokens),
        new("completion", record.Usage.CompletionTokens),
        new("reasoning", record.Usage.ReasoningTokens),
        new("reported", record.UsageReported ? 1 : 0),
        new("usd", record.CostUsd.ToString(CultureInfo.InvariantCulture)),
    ];

    public static UsageRecord Read(StreamEntry entry)
    {
        string Text(string name) => (string?)entry[name] ?? string.Empty;
        int Int(string name) => (int)entry[name];
        var team = Text("team");
        return new UsageRecord(
            Text("req"),
            Text("key"),
            Text("model"),
            Text("provider"),
            Text("deployment"),
            Text("op"),
            new TokenUsage(Int("prompt"), Int("cached"), Int("completion"), Int("reasoning")),
            Int("reported") == 1,
            decimal.Parse(Text("usd"), NumberStyles.Number, CultureInfo.InvariantCulture),
            DateTimeOffset.FromUnixTimeMilliseconds((long)entry["ts"]))
        {
            TeamId = team.Length == 0 ? null : team,
        };
    }
}
