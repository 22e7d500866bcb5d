using ModelGateway.Pipeline;

namespace ModelGateway.Admin;

/// <summary>
/// Every admin call: an admin key is required (401 otherwise), a read-only key may only read (403), and the
/// call is logged with the key id, method, path and status. Changes are also in the audit log, with a diff.
/// </summary>
internal sealed partial class AdminAuthorizationFilter : IEndpointFilter
{
    public const string ActorItem = "mg.admin.actor";
    private readonly AdminKeys _keys;
    private readonly int? _port;
    private readonly ILogger<AdminAuthorizationFilter> _logger;

    public AdminAuthorizationFilter(AdminKeys keys, AdminOptions options, ILogger<AdminAuthorizationFilter> logger)
    {
        _keys = keys;
        _port = options.Port;
        _logger = logger;
    }

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        if (_port is { } port && http.Connection.LocalPort != port)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found",
                detail: "The admin API is served on its own port.");
        }

        var key = _keys.Find(http.Request.Headers.Authorization.ToString());
        if (key is null)
        {
            LogRefused(http.Request.Method, http.Request.Path, 401);
            http.Response.Headers.WWWAuthenticate = "Bearer realm=\"modelgateway-admin\"";
            return TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Unauthorized",
                detail: "An admin key is required (Authorization: Bearer <admin key>); client keys are not accepted here.");
        }

        if (key.ReadOnly && !HttpMethods.IsGet(http.Request.Method) && !HttpMethods.IsHead(http.Request.Method) && !IsDryRun(http))
        {
            LogRefused(http.Request.Method, http.Request.Path, 403);
            return TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Forbidden",
                detail: $"Admin key '{key.Id}' is read-only.");
        }

        http.Items[ActorItem] = key.Id;
        if (http.Features.Get<GatewayRequestFeature>() is { } feature)
        {
            feature.KeyId = "admin:" + key.Id;
        }

        object? result;
        try
        {
            result = await next(context);
        }
        catch (Exception ex) when (ex is StackExchange.Redis.RedisException or TimeoutException or IOException or UnauthorizedAccessException)
        {
            // The store is unreachable or unwritable: an expected failure, not a bug.
            LogStoreFailed(ex, http.Request.Method, http.Request.Path);
            result = AdminHttp.Problem(new AdminFailure(StatusCodes.Status503ServiceUnavailable, "Configuration store unavailable",
                "The configuration store cannot be reached; the change may or may not have been stored: read the configuration before retrying."), http);
        }

        LogCall(key.Id, http.Request.Method, http.Request.Path, (result as IStatusCodeHttpResult)?.StatusCode ?? http.Response.StatusCode);
        return result;
    }

    /// <summary>Dry runs change nothing, so a read-only key may make them.</summary>
    private static bool IsDryRun(HttpContext context) =>
        AdminHttp.IsDryRun(context) || context.Request.Path.Value?.EndsWith("/config/dry-run", StringComparison.Ordinal) == true;

    public static string Actor(HttpContext context) => context.Items[ActorItem] as string ?? "unknown";

    [LoggerMessage(EventId = 520, Level = LogLevel.Information, Message = "Admin call by {Actor}: {Method} {Path} -> {Status}")]
    private partial void LogCall(string actor, string method, string path, int status);

    [LoggerMessage(EventId = 522, Level = LogLevel.Error, Message = "Admin call failed on the configuration store: {Method} {Path}")]
    private partial void LogStoreFailed(Exception exception, string method, string path);

    [LoggerMessage(EventId = 521, Level = LogLevel.Warning, Message = "Admin call refused: {Method} {Path} -> {Status}")]
    private partial void LogRefused(string method, string path, int status);
}
