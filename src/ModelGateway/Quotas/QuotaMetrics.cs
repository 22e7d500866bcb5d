using System.Diagnostics.Metrics;

namespace ModelGateway.Quotas;

/// <summary>
/// Quota instruments: refusals by reason, quota-store failures, requests decided without Redis, and compensations
/// of reservations whose caller gave up. Tags are bounded enumerations.
/// </summary>
internal sealed class QuotaMetrics
{
    public const string MeterName = "ModelGateway.Quotas";

    private readonly Counter<long> _rejections;
    private readonly Counter<long> _storeFailures;
    private readonly Counter<long> _degraded;
    private readonly Counter<long> _compensations;

    public QuotaMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _rejections = meter.CreateCounter<long>("modelgateway.quota.rejections", "{request}", "Requests refused by a limit or budget.");
        _storeFailures = meter.CreateCounter<long>("modelgateway.quota.store_failures", "{error}", "Quota store calls that failed or timed out.");
        _degraded = meter.CreateCounter<long>(
            "modelgateway.quota.degraded_requests", "{request}", "Requests decided without the shared quota store (Redis failed or was too slow), by failure mode.");
        _compensations = meter.CreateCounter<long>(
            "modelgateway.quota.compensations", "{reservation}", "Reservations withdrawn from Redis after their caller gave up on them, by result.");
    }

    public void Degraded(string mode)
    {
        if (_degraded.Enabled)
        {
            _degraded.Add(1, new KeyValuePair<string, object?>("mode", mode));
        }
    }

    /// <summary><paramref name="result"/>: released, prevented, settled, expired or dropped.</summary>
    public void Compensated(string result)
    {
        if (_compensations.Enabled)
        {
            _compensations.Add(1, new KeyValuePair<string, object?>("result", result));
        }
    }

    public void Rejected(QuotaVerdict verdict)
    {
        if (_rejections.Enabled)
        {
            _rejections.Add(1, new KeyValuePair<string, object?>("reason", Reason(verdict)));
        }
    }

    public void StoreFailed(string operation, string mode)
    {
        if (_storeFailures.Enabled)
        {
            _storeFailures.Add(1, new KeyValuePair<string, object?>("operation", operation), new KeyValuePair<string, object?>("mode", mode));
        }
    }

    private static string Reason(QuotaVerdict verdict) => verdict switch
    {
        QuotaVerdict.Requests => "requests",
        QuotaVerdict.Tokens => "tokens",
        QuotaVerdict.TokensTooLarge => "tokens_too_large",
        QuotaVerdict.Concurrency => "concurrency",
        QuotaVerdict.BudgetHeld => "budget_held",
        QuotaVerdict.BudgetDay => "budget_day",
        QuotaVerdict.BudgetMonth => "budget_month",
        QuotaVerdict.Withdrawn => "withdrawn",
        _ => "other",
    };
}
