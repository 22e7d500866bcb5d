namespace ModelGateway.Accounting;

/// <summary>Receives the usage and cost of every served request. Must be cheap and must not throw.</summary>
public interface IUsageRecorder
{
    void Record(UsageRecord record);
}
