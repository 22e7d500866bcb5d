using Microsoft.AspNetCore.Http.Features;
using ModelGateway.Configuration;
using ModelGateway.FrontDoor.Protocols;
using ModelGateway.Pipeline;
using ModelGateway.Requests;

namespace ModelGateway.FrontDoor;

/// <summary>
/// Builds the <see cref="GatewayRequest"/> once, at the front door: the snapshot and caller the authentication
/// step settled, the body read under the size limit, and the module's parse of it. The key's model allow-list is
/// checked here, before routing, so a model the caller may not use is unknown to it everywhere (404).
/// </summary>
internal static class GatewayRequestReader
{
    /// <summary>The request, or null after the error has been written in the module's envelope.</summary>
    public static async ValueTask<GatewayRequest?> ReadAsync(HttpContext context, IInboundModule module)
    {
        var record = context.Features.GetRequiredFeature<GatewayRequestFeature>();
        var snapshot = record.Snapshot!;
        var (body, readError) = await RequestBody.ReadAsync(context, snapshot.Config.MaxRequestBodyBytes);
        if (body is null)
        {
            await module.WriteErrorAsync(context, readError!);
            return null;
        }

        var caller = record.Caller!;
        var (parsed, parseError) = await module.ParseAsync(context, caller, body);
        if (parsed is null)
        {
            body.Dispose();
            await module.WriteErrorAsync(context, parseError!);
            return null;
        }

        if (parsed.Body is { } replacement && !ReferenceEquals(replacement, body))
        {
            body.Dispose();
            body = replacement;
        }

        record.Model = parsed.Model;
        if (!caller.MayUse(parsed.Model))
        {
            // As OpenAI answers for a model the caller may not use: indistinguishable from an unknown model.
            body.Dispose();
            parsed.Canonical?.Body.Dispose();
            record.Failure = "model_not_found";
            await (parsed.Protocol ?? module).WriteErrorAsync(context, GatewayError.ModelNotFound(parsed.Model));
            return null;
        }

        var request = Build(record, snapshot, caller, module, body, parsed, context.Request.Headers, context.RequestAborted);

        // The front door's hold: released when the client's request ends; a shadow call may hold on longer.
        context.Response.RegisterForDispose(request);
        return request;
    }

    /// <summary>
    /// A request object for a sample body that never came over the wire (the admin dry-run's samples): the same
    /// parse and allow-list as a real request. Null with the error when the body is not one this module accepts.
    /// </summary>
    public static GatewayRequest? FromSample(
        GatewaySnapshot snapshot, Caller caller, IInboundModule module, ReadOnlySpan<byte> bytes, IHeaderDictionary headers, out GatewayError? error)
    {
        if (module.Parse(bytes, out error) is not { } parsed)
        {
            return null;
        }

        if (!caller.MayUse(parsed.Model))
        {
            error = GatewayError.ModelNotFound(parsed.Model);
            return null;
        }

        var record = new GatewayRequestFeature(UniqueIds.Next("req_"), 0) { KeyId = caller.KeyId, TeamId = caller.TeamId, Snapshot = snapshot, Caller = caller };
        return Build(record, snapshot, caller, module, RequestBody.Copy(bytes), parsed, headers, CancellationToken.None);
    }

    private static GatewayRequest Build(
        GatewayRequestFeature record, GatewaySnapshot snapshot, Caller caller, IInboundModule module, RequestBody body, ParsedBody parsed,
        IHeaderDictionary headers, CancellationToken aborted) => new()
    {
        Record = record,
        Snapshot = snapshot,
        Caller = caller,
        Protocol = parsed.Protocol ?? module,
        Body = body,
        Model = parsed.Model,
        ModelToken = parsed.ModelToken,
        Stream = parsed.Stream,
        Chat = parsed.Chat,
        Canonical = parsed.Canonical ?? new CanonicalRequest(body, parsed.Chat, parsed.ModelToken),
        Needs = parsed.Needs,
        MaxOutputTokens = parsed.MaxOutputTokens,
        Hints = RequestHints.From(headers),
        ClientHeaders = headers,
        Aborted = aborted,
        InheritedSensitivity = parsed.InheritedSensitivity,
    };
}
