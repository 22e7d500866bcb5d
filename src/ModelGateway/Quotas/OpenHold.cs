namespace ModelGateway.Quotas;

/// <summary>
/// A reservation this replica made and has not settled yet, listed in <see cref="QuotaHolds"/>. Claimed exactly once:
/// by its request's settlement, or, at shutdown, by <see cref="QuotaDrain"/> releasing what its request never settled.
/// </summary>
internal sealed class OpenHold
{
    private int _claimed;

    public OpenHold(IQuotaStore store, QuotaAsk ask)
    {
        Store = store;
        Ask = ask;
    }

    public IQuotaStore Store { get; }

    public QuotaAsk Ask { get; }

    /// <summary>True for the first caller only; the other one leaves the hold alone.</summary>
    public bool TryClaim() => Interlocked.Exchange(ref _claimed, 1) == 0;
}
