namespace ModelGateway.Quotas;

/// <summary>
/// The Redis names of one quota group's keys. Every name starts with the group's hash tag,
/// <c>{&lt;prefix&gt;&lt;group&gt;}:</c>, so a script that touches several of them runs on one Redis Cluster slot,
/// and different groups (teams, keys without a team) spread over the cluster's shards.
/// </summary>
internal readonly struct RedisQuotaKeys
{
    private readonly string _tag;

    public RedisQuotaKeys(string prefix, string group) => _tag = "{" + prefix + group + "}:";

    /// <summary>Reservations of the group by expiry (a sorted set).</summary>
    public string Holds => _tag + "holds";

    /// <summary>One reservation: its cost, then per scope its in-flight, day and month keys. The scripts build it as <c>Holds .. ':' .. id</c>.</summary>
    public string Hold(string reservationId) => _tag + "holds:" + reservationId;

    /// <summary>Says a reservation is finished (released, or settled by a retry).</summary>
    public string Released(string reservationId) => _tag + "released:" + reservationId;

    /// <summary>Rate window hash: start, req, tok.</summary>
    public string Window(string scope) => _tag + "w:" + scope;

    /// <summary>Requests in flight.</summary>
    public string InFlight(string scope) => _tag + "c:" + scope;

    /// <summary>Spend of one UTC day (<c>yyyyMMdd</c>): spent, held.</summary>
    public string Day(string day, string scope) => _tag + "d:" + day + ":" + scope;

    /// <summary>Spend of one UTC month (<c>yyyyMM</c>): spent, held.</summary>
    public string Month(string month, string scope) => _tag + "m:" + month + ":" + scope;
}
