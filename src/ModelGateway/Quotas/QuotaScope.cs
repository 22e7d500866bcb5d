using ModelGateway.Configuration;

namespace ModelGateway.Quotas;

/// <summary>
/// One set of counters a request counts against: a key (<c>key:ID</c>), a team (<c>team:ID</c>) or a team's model
/// (<c>team:ID:model:NAME</c>), with the limits that apply to it.
/// </summary>
internal readonly record struct QuotaScope(string Name, QuotaLimits Limits)
{
    /// <summary>
    /// The group of a key's scopes, which Redis keeps on one cluster slot: the key's team when it has one, else the
    /// key itself. Every request of a team touches the team's counters anyway, so grouping by team costs no spread,
    /// and one atomic script covers the key, its team and the team's model. A key that changes team starts its own
    /// counters afresh.
    /// </summary>
    public static string GroupOf(ClientKey key) => key.Team is { } team ? ForTeam(team) : ForKey(key.Id);

    public static string ForKey(string keyId) => "key:" + keyId;

    public static string ForTeam(string teamId) => "team:" + teamId;

    public static string ForTeamModel(string teamId, string model) => "team:" + teamId + ":model:" + model;
}
