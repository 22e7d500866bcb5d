using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.WebUtilities;
using ModelGateway.Pipeline;

namespace ModelGateway.Admin;

/// <summary>Request and response plumbing shared by the admin endpoints.</summary>
internal static partial class AdminHttp
{
    public const string VersionHeader = "x-config-version";
    private const int MaxBodyBytes = 4 * 1024 * 1024;

    /// <summary>Ids appear in URLs and configuration paths: letters, digits and <c>. _ : -</c>, starting with a letter or digit.</summary>
    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$", RegexOptions.CultureInvariant)]
    public static partial Regex IdPattern();

    public static ProblemHttpResult Problem(AdminFailure failure, HttpContext context)
    {
        var problem = failure.Errors is { } errors ? new HttpValidationProblemDetails(errors) : new ProblemDetails();
        problem.Status = failure.Status;
        problem.Title = failure.Title;
        problem.Detail = failure.Detail;
        problem.Instance = context.Request.Path;
        if (failure.Referrers is { } referrers)
        {
            problem.Extensions["referrers"] = referrers;
        }

        if (context.Features.Get<GatewayRequestFeature>() is { } feature)
        {
            problem.Extensions["requestId"] = feature.RequestId;
        }

        return TypedResults.Problem(problem);
    }

    /// <summary>Reads a JSON object body; duplicate property names are refused with their paths.</summary>
    public static async Task<(JsonObject? Body, AdminFailure? Failure)> ReadObjectAsync(HttpContext context)
    {
        if (context.Request.ContentLength > MaxBodyBytes)
        {
            return (null, new AdminFailure(StatusCodes.Status413PayloadTooLarge, "Payload too large", $"Admin request bodies are limited to {MaxBodyBytes} bytes."));
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await context.Request.Body.ReadAsync(chunk, context.RequestAborted)) > 0)
        {
            if (buffer.Length + read > MaxBodyBytes)
            {
                return (null, new AdminFailure(StatusCodes.Status413PayloadTooLarge, "Payload too large", $"Admin request bodies are limited to {MaxBodyBytes} bytes."));
            }

            buffer.Write(chunk, 0, read);
        }

        var bytes = buffer.ToArray();
        try
        {
            var duplicates = FindDuplicates(bytes);
            if (duplicates.Count > 0)
            {
                return (null, AdminFailure.Invalid(duplicates.Select(d => $"{d} duplicate id or field: the name appears more than once in the body.")));
            }

            return JsonNode.Parse(bytes) is JsonObject body
                ? (body, null)
                : (null, AdminFailure.BadRequest("The body must be a JSON object."));
        }
        catch (JsonException ex)
        {
            return (null, AdminFailure.BadRequest($"The body is not valid JSON: {ex.Message}"));
        }
        catch (InvalidOperationException)
        {
            // Utf8JsonReader checks a string's encoding only when it is read: FindDuplicates reads every one.
            return (null, AdminFailure.BadRequest("The body is not valid JSON: a string holds invalid UTF-8 or an unpaired surrogate escape such as \\ud800."));
        }
    }

    /// <summary>
    /// Problem details for a response that ended without a body under <c>/admin</c>: no endpoint for the path (404)
    /// or the method (405), or a route or query value that does not bind, e.g. <c>audit?limit=abc</c> (400).
    /// </summary>
    public static Task WriteStatusProblemAsync(HttpContext context)
    {
        var status = context.Response.StatusCode;
        var failure = status switch
        {
            StatusCodes.Status404NotFound => new AdminFailure(status, "Not found",
                $"No admin endpoint matches {context.Request.Method} {context.Request.Path}; see docs/admin-api.md."),
            StatusCodes.Status405MethodNotAllowed => new AdminFailure(status, "Method not allowed",
                $"Method {context.Request.Method} is not allowed on {context.Request.Path}."),
            StatusCodes.Status400BadRequest => AdminFailure.BadRequest(
                "A route or query value is not valid for this endpoint (versions and limits are whole numbers, see docs/admin-api.md)."),
            _ => new AdminFailure(status, ReasonPhrases.GetReasonPhrase(status) is { Length: > 0 } phrase ? phrase : "Error",
                $"The request failed with status {status}."),
        };
        return Problem(failure, context).ExecuteAsync(context);
    }

    /// <summary>Null when there is no If-Match header or it matches <paramref name="current"/>; otherwise a 412.</summary>
    public static AdminFailure? CheckIfMatch(HttpContext context, string? current)
    {
        var header = context.Request.Headers.IfMatch;
        if (header.Count == 0)
        {
            return null;
        }

        foreach (var value in header.SelectMany(v => (v ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)))
        {
            if ((value == "*" && current is not null) || string.Equals(value, current, StringComparison.Ordinal))
            {
                return null;
            }
        }

        return AdminFailure.PreconditionFailed(current);
    }

    public static bool IsDryRun(HttpContext context) =>
        context.Request.Query.TryGetValue("dryRun", out var value) && (value.Count == 0 || value[0] is "" or "true" or "1");

    /// <summary>RFC 7396 JSON merge patch, in place; property names match the target's case-insensitively.</summary>
    public static void MergePatch(JsonObject target, JsonObject patch)
    {
        foreach (var (name, value) in patch.ToList())
        {
            var key = target.FirstOrDefault(p => string.Equals(p.Key, name, StringComparison.OrdinalIgnoreCase)).Key ?? name;
            if (value is null)
            {
                target.Remove(key);
            }
            else if (value is JsonObject child && target[key] is JsonObject existing)
            {
                MergePatch(existing, child);
            }
            else if (value is JsonObject fresh)
            {
                var created = new JsonObject();
                MergePatch(created, fresh);
                target[key] = created;
            }
            else
            {
                target[key] = value.DeepClone();
            }
        }
    }

    public static JsonArray ChangesJson(IReadOnlyList<ConfigChange> changes) =>
        JsonSerializer.SerializeToNode(changes, ConfigDocument.Storage)!.AsArray();

    private static List<string> FindDuplicates(byte[] json)
    {
        var duplicates = new List<string>();
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        var names = new Stack<HashSet<string>>();
        var path = new Stack<string>();
        string? pending = null;
        while (reader.Read())
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.StartObject:
                    path.Push(pending ?? "");
                    names.Push(new HashSet<string>(StringComparer.OrdinalIgnoreCase));
                    pending = null;
                    break;
                case JsonTokenType.EndObject:
                    names.Pop();
                    path.Pop();
                    break;
                case JsonTokenType.StartArray:
                    path.Push(pending ?? "");
                    names.Push([]);
                    pending = null;
                    break;
                case JsonTokenType.EndArray:
                    names.Pop();
                    path.Pop();
                    break;
                case JsonTokenType.String:
                    // Throws InvalidOperationException for invalid UTF-8 or a lone surrogate (\ud800), which
                    // would otherwise surface later, from deep inside deserialization.
                    _ = reader.GetString();
                    pending = null;
                    break;
                case JsonTokenType.PropertyName:
                    pending = reader.GetString()!;
                    if (!names.Peek().Add(pending))
                    {
                        duplicates.Add(string.Join(':', path.Reverse().Where(p => p.Length > 0).Append(pending)));
                    }

                    break;
                default:
                    pending = null;
                    break;
            }
        }

        return duplicates;
    }
}
