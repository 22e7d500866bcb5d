namespace ModelGateway.Quotas;

/// <summary>
/// One set of counters a request counts against: a key (<c>key:ID</c>), a team (<c>team:ID</c>) or a team's model
/// (<c>team:ID:model:NAME</c>), with the limits that apply to it.
/// </summary>
internal readonly record struct QuotaScope(string Name, QuotaLimits Limits)
{
    public static string ForKey(string keyId) => "key:" + keyId;

    public static string ForTeam(string teamId) => "team:" + teamId;

    public static string ForTeamModel(string teamId, string model) => "team:" + teamId + ":model:" + model;
}
