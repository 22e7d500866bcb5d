using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;
using ModelGateway.Configuration;
using ModelGateway.FrontDoor.Protocols;
using ModelGateway.Sensitivity;
using ModelGateway.Requests;
using ModelGateway.Pipeline;
using ModelGateway.Routing;

namespace ModelGateway.FrontDoor;

/// <summary>
/// <c>POST /v1/route/explain</c>: takes a chat completions body (a Messages body when <c>anthropic-version</c> is
/// sent, as Anthropic clients do; a Responses API body when it has <c>input</c> and no <c>messages</c>; a legacy
/// completions body when it has <c>prompt</c> and neither of those), runs the
/// same allow-list, classification and routing decision a real request would get (headers included), and returns
/// it as JSON without sending anything upstream.
/// </summary>
internal static class RouteExplainEndpoint
{
    public const string Path = "/v1/route/explain";

    public static void MapRouteExplain(this IEndpointRouteBuilder endpoints) => endpoints.MapPost(Path, ExplainAsync);

    private static async Task ExplainAsync(HttpContext context)
    {
        // The same request object, allow-list, classification and planner a real request gets; nothing is sent.
        var module = FrontDoor.Protocols.AnthropicMessages.AnthropicModelList.IsAsked(context.Request)
            ? FrontDoor.Protocols.AnthropicMessages.AnthropicMessagesProtocol.Instance
            : await ModuleForBodyAsync(context);
        if (await GatewayRequestReader.ReadAsync(context, module) is not { } request)
        {
            return;
        }

        var plan = Plan(context.RequestServices, request);
        request.Record.DecisionId = plan.Decision?.Id;

        context.Response.ContentType = "application/json";
        using (var writer = new Utf8JsonWriter(context.Response.BodyWriter, new JsonWriterOptions { Indented = true }))
        {
            Write(writer, plan, request.Stream);
        }

        await context.Response.BodyWriter.FlushAsync(context.RequestAborted);
    }

    /// <summary>
    /// The Responses module for a body with top-level <c>input</c> and no <c>messages</c>; legacy completions for one
    /// with <c>prompt</c> and neither; chat completions otherwise.
    /// </summary>
    private static async Task<IInboundModule> ModuleForBodyAsync(HttpContext context)
    {
        var limit = context.Features.GetRequiredFeature<GatewayRequestFeature>().Snapshot!.Config.MaxRequestBodyBytes;
        if (context.Request.ContentLength is > 0 and var length && length > limit)
        {
            return OpenAiChatProtocol.Instance;
        }

        // Explain is not a hot path: the body is read here and again by the request reader.
        context.Request.EnableBuffering();
        using var copy = new MemoryStream();
        await context.Request.Body.CopyToAsync(copy, context.RequestAborted);
        context.Request.Body.Position = 0;
        bool hasInput = false, hasMessages = false, hasPrompt = false;
        try
        {
            var reader = new Utf8JsonReader(copy.GetBuffer().AsSpan(0, (int)copy.Length));
            if (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
            {
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    hasInput |= reader.ValueTextEquals("input"u8);
                    hasMessages |= reader.ValueTextEquals("messages"u8);
                    hasPrompt |= reader.ValueTextEquals("prompt"u8);
                    reader.Read();
                    reader.Skip();
                }
            }
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            // Not JSON, or a name that is not valid text: the chat reader says so in its own words.
        }

        return hasMessages ? OpenAiChatProtocol.Instance
            : hasInput ? FrontDoor.Protocols.Responses.ResponsesProtocol.Instance
            : hasPrompt ? OpenAiCompletionsProtocol.Instance
            : OpenAiChatProtocol.Instance;
    }

    /// <summary>Classifies and routes a request exactly as serving it would, without sending anything.</summary>
    internal static RoutePlan Plan(IServiceProvider services, GatewayRequest request)
    {
        if (!request.IsClassified)
        {
            request.Classify(services.GetRequiredService<RequestClassifier>().Classify(request));
        }

        return services.GetRequiredService<IRoutePlanner>().Plan(request);
    }

    internal static void Write(Utf8JsonWriter writer, RoutePlan plan, bool streaming)
    {
        writer.WriteStartObject();
        writer.WriteString("object"u8, "route.explanation"u8);
        var decision = plan.Decision;
        if (decision is null)
        {
            writer.WriteStartArray("order"u8);
            foreach (var deployment in plan.Candidates)
            {
                writer.WriteStringValue(deployment.Config.Id);
            }

            writer.WriteEndArray();
            WriteRefusal(writer, plan.Refusal);
            writer.WriteEndObject();
            return;
        }

        writer.WriteString("decision_id"u8, decision.Id);
        writer.WriteString("model"u8, decision.Model);
        writer.WriteString("rule"u8, decision.Rule.Id);
        writer.WriteString("strategy"u8, decision.Rule.Strategy.ToString().ToLowerInvariant());
        writer.WriteStartObject("sensitivity"u8);
        writer.WriteString("level"u8, SensitivityNames.Name(decision.Level));
        writer.WriteString("header"u8, decision.HeaderLevel is { } header ? SensitivityNames.Name(header) : null);
        writer.WriteString("key_default"u8, decision.KeyLevel is { } key ? SensitivityNames.Name(key) : null);
        writer.WriteString("team_default"u8, decision.TeamLevel is { } team ? SensitivityNames.Name(team) : null);
        writer.WriteString("detected"u8, SensitivityNames.Name(decision.DetectedLevel));
        writer.WriteStartArray("detectors"u8);
        foreach (var name in decision.FiredDetectorNames())
        {
            writer.WriteStringValue(name);
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
        writer.WriteNumber("estimated_prompt_tokens"u8, decision.EstimatedPromptTokens);

        writer.WriteStartArray("order"u8);
        foreach (var deployment in plan.Candidates)
        {
            writer.WriteStringValue(deployment.Config.Id);
        }

        writer.WriteEndArray();
        writer.WriteStartArray("candidates"u8);
        foreach (var verdict in decision.Candidates)
        {
            WriteCandidate(writer, verdict, streaming);
        }

        writer.WriteEndArray();
        WriteRefusal(writer, plan.Refusal);
        writer.WriteEndObject();
    }

    private static void WriteCandidate(Utf8JsonWriter writer, CandidateVerdict verdict, bool streaming)
    {
        var deployment = verdict.Deployment;
        writer.WriteStartObject();
        writer.WriteString("deployment"u8, deployment.Config.Id);
        writer.WriteString("provider"u8, deployment.Provider.Id);
        writer.WriteString("trust"u8, ConfigNames.Name(deployment.Provider.Trust));
        writer.WriteString("region"u8, deployment.Provider.Region);
        writer.WriteBoolean("eligible"u8, verdict.Exclusion == Exclusion.None);
        if (verdict.Exclusion == Exclusion.None)
        {
            writer.WriteNumber("rank"u8, verdict.Rank);
        }
        else
        {
            writer.WriteString("excluded"u8, CandidateVerdict.Name(verdict.Exclusion));
            if (verdict.Exclusion is Exclusion.CircuitOpen or Exclusion.CoolingDown)
            {
                writer.WriteString("blocked_until"u8, verdict.BlockedUntil);
            }
        }

        if (deployment.Config.Capacity is not null && verdict.Exclusion == Exclusion.None)
        {
            Routing.Capacity.LoadExplanation.Write(writer, verdict);
        }

        writer.WriteStartObject("score"u8);
        writer.WriteNumber("estimated_cost_usd"u8, Math.Round(verdict.CostUsd, 8));
        writer.WriteNumber("expected_output_tokens"u8, verdict.ExpectedOutputTokens);
        if (verdict.LatencyKnown)
        {
            writer.WriteNumber("ttfb_ms"u8, Math.Round(verdict.TimeToFirstByteMs, 2));
            writer.WriteNumber("total_ms"u8, Math.Round(verdict.TotalMs, 2));
        }
        else
        {
            writer.WriteNull("ttfb_ms"u8);
            writer.WriteNull("total_ms"u8);
        }

        writer.WriteNumber("latency_ms_used"u8, Math.Round(CandidateScoring.Latency(verdict, streaming), 2));
        writer.WriteNumber("priority"u8, deployment.Config.Priority);
        if (verdict.Exclusion == Exclusion.None)
        {
            writer.WriteNumber("total"u8, Math.Round(verdict.Score, 6));
        }

        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    private static void WriteRefusal(Utf8JsonWriter writer, GatewayError? refusal)
    {
        if (refusal is null)
        {
            writer.WriteNull("refusal"u8);
            return;
        }

        writer.WriteStartObject("refusal"u8);
        writer.WriteNumber("status"u8, refusal.Status);
        writer.WriteString("code"u8, refusal.Code);
        writer.WriteString("message"u8, refusal.Message);
        writer.WriteEndObject();
    }
}
