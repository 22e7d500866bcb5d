using System.Globalization;
using ModelGateway.Experiments;
using ModelGateway.Routing.Canaries;

namespace ModelGateway.Admin;

/// <summary>
/// A guard's rollback as an ordinary audited change: the rule's canary share set to 0 by the actor
/// <c>canary-guard</c>, the action naming the guard and the figure. Nothing is written when the share is 0 already
/// or the canary was changed since (another candidate).
/// </summary>
internal sealed class AdminCanaryAudit : ICanaryAudit
{
    public const string Actor = "canary-guard";

    private readonly AdminConfigService _service;

    public AdminCanaryAudit(AdminConfigService service) => _service = service;

    public async Task<bool> RecordRollbackAsync(CanaryOverride breach, CancellationToken cancellationToken)
    {
        var action = string.Create(CultureInfo.InvariantCulture,
            $"canary guard rollback routes/{breach.Rule}: {breach.Guard} {breach.Figure:0.####} against a limit of {breach.Limit:0.####} over {breach.Count} on {breach.Replica}");
        var result = await _service.UpdateAsync(Actor, action, null, dryRun: false, document =>
        {
            if (CanaryDocument.Find(document, breach.Rule, out _, out var canary) is { } missing)
            {
                return missing;
            }

            if (CanaryDocument.Deployment(canary) != breach.Deployment || CanaryDocument.Percent(canary) == 0)
            {
                return new AdminFailure(StatusCodes.Status409Conflict, "Canary changed", "The canary was changed or rolled back since the breach.");
            }

            CanaryDocument.SetPercent(canary, 0);
            return null;
        }, cancellationToken);
        return result.Write is { Applied: true };
    }
}
