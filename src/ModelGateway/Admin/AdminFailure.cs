namespace ModelGateway.Admin;

/// <summary>An expected failure of an admin call, turned into RFC 9457 problem details at the edge.</summary>
internal sealed record AdminFailure(int Status, string Title, string? Detail = null)
{
    /// <summary>Problems by field path, e.g. <c>Deployments:qwen:Provider</c>; for 422.</summary>
    public Dictionary<string, string[]>? Errors { get; init; }

    /// <summary>What still refers to a resource that cannot be deleted; for 409.</summary>
    public IReadOnlyList<string>? Referrers { get; init; }

    public static AdminFailure NotFound(string what) => new(StatusCodes.Status404NotFound, "Not found", $"{what} does not exist.");

    public static AdminFailure PreconditionFailed(string? current) => new(
        StatusCodes.Status412PreconditionFailed, "Precondition failed",
        $"If-Match does not match the current ETag ({current ?? "none: the resource does not exist"}); read it again and retry.");

    public static AdminFailure BadRequest(string detail) => new(StatusCodes.Status400BadRequest, "Bad request", detail);

    public static AdminFailure Invalid(IEnumerable<string> errors) => new(
        StatusCodes.Status422UnprocessableEntity, "The configuration change is invalid", "Every problem is listed under 'errors'.")
    {
        Errors = Group(errors),
    };

    /// <summary>Groups builder messages such as <c>Deployments:x:Provider 'y' is not ...</c> by their leading path.</summary>
    public static Dictionary<string, string[]> Group(IEnumerable<string> errors) => errors
        .GroupBy(FieldOf, StringComparer.Ordinal)
        .ToDictionary(g => g.Key, g => g.ToArray(), StringComparer.Ordinal);

    private static string FieldOf(string error)
    {
        var end = error.IndexOf(' ', StringComparison.Ordinal);
        var field = (end < 0 ? error : error[..end]).TrimEnd(':', '.');
        return field.Length == 0 ? "document" : field;
    }
}
