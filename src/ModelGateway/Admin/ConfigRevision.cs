namespace ModelGateway.Admin;

/// <summary>
/// One version of the configuration document (the <c>ModelGateway</c> section as JSON) and the audit entry of
/// the change that made it. Versions start at 1 and increase by one; a revision is never changed once stored.
/// </summary>
public sealed record ConfigRevision(long Version, string Document, AuditEntry Audit);

/// <summary>Who changed the configuration, when, how, and what changed (secrets redacted).</summary>
public sealed record AuditEntry(
    long Version,
    DateTimeOffset At,
    string Actor,
    string Action,
    string? RequestId,
    IReadOnlyList<ConfigChange> Changes);

/// <summary>One changed value: a path such as <c>providers/openai/baseUrl</c>, before and after (null when absent).</summary>
public sealed record ConfigChange(string Path, System.Text.Json.Nodes.JsonNode? Before, System.Text.Json.Nodes.JsonNode? After);
