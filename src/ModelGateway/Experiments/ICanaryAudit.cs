using ModelGateway.Routing.Canaries;

namespace ModelGateway.Experiments;

/// <summary>Writes a guard's rollback into the admin audit log (the admin API implements it; without the admin API there is none).</summary>
internal interface ICanaryAudit
{
    /// <summary>Sets the rule's canary share to 0 in the configuration as an audited change by <c>canary-guard</c>; false when nothing was written.</summary>
    Task<bool> RecordRollbackAsync(CanaryOverride breach, CancellationToken cancellationToken);
}
