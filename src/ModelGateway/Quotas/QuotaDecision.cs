namespace ModelGateway.Quotas;

/// <summary>
/// A store's answer: the verdict, which scope decided it, and the figures for the <c>x-ratelimit-*</c> headers
/// (the tightest scope's, -1 when no scope limits that dimension).
/// </summary>
internal sealed class QuotaDecision
{
    public required QuotaVerdict Verdict { get; init; }

    /// <summary>Index into <see cref="QuotaAsk.Scopes"/> of the scope that refused; -1 when admitted.</summary>
    public int Scope { get; init; } = -1;

    public long RetryAfterMs { get; init; }

    public long RequestLimit { get; init; } = -1;

    public long RequestsRemaining { get; init; } = -1;

    public long RequestsResetMs { get; init; } = -1;

    public long TokenLimit { get; init; } = -1;

    public long TokensRemaining { get; init; } = -1;

    public long TokensResetMs { get; init; } = -1;

    /// <summary>Start of each scope's rate window the reservation counted in, so settling adjusts the same window only.</summary>
    public long[] WindowStarts { get; init; } = [];

    public bool Admitted => Verdict == QuotaVerdict.Admitted;
}
