using System.Text.Json;
using ModelGateway.Requests;

namespace ModelGateway.FrontDoor.Protocols.Responses;

/// <summary>How a rendered response ended.</summary>
/// <param name="Status">completed, incomplete, failed or in_progress.</param>
/// <param name="IncompleteReason">max_output_tokens or content_filter, for incomplete.</param>
/// <param name="Error">The failure, for failed.</param>
internal readonly record struct ResponseState(string Status, string? IncompleteReason = null, GatewayError? Error = null)
{
    public static readonly ResponseState InProgress = new("in_progress");
}

/// <summary>
/// Writes the response object in OpenAI's shape, echoing the request's settings. In progress (as in
/// <c>response.created</c>): <c>status: "in_progress"</c>, <c>output: []</c>, <c>usage: null</c>, <c>error: null</c>.
/// </summary>
internal static class ResponseObjectWriter
{
    public static void Write(Utf8JsonWriter json, ResponsesExchange exchange, ResponseState state, IReadOnlyList<byte[]> output, TokenUsage? usage)
    {
        var request = exchange.Request;
        json.WriteStartObject();
        json.WriteString("id"u8, exchange.ResponseId);
        json.WriteString("object"u8, "response"u8);
        json.WriteNumber("created_at"u8, exchange.CreatedAt);
        json.WriteString("status"u8, state.Status);
        json.WriteBoolean("background"u8, false);
        if (state.Error is { } error)
        {
            json.WriteStartObject("error"u8);
            json.WriteString("code"u8, error.Code ?? error.Type);
            json.WriteString("message"u8, error.Message);
            json.WriteEndObject();
        }
        else
        {
            json.WriteNull("error"u8);
        }

        if (state.IncompleteReason is { } reason)
        {
            json.WriteStartObject("incomplete_details"u8);
            json.WriteString("reason"u8, reason);
            json.WriteEndObject();
        }
        else
        {
            json.WriteNull("incomplete_details"u8);
        }

        json.WriteString("instructions"u8, request.Instructions);
        if (request.MaxOutputTokens is { } max)
        {
            json.WriteNumber("max_output_tokens"u8, max);
        }
        else
        {
            json.WriteNull("max_output_tokens"u8);
        }

        json.WriteString("model"u8, request.Model);
        json.WriteStartArray("output"u8);
        foreach (var item in output)
        {
            json.WriteRawValue(item, skipInputValidation: true);
        }

        json.WriteEndArray();
        json.WriteBoolean("parallel_tool_calls"u8, request.ParallelToolCalls);
        json.WriteString("previous_response_id"u8, request.PreviousResponseId);
        json.WriteString("prompt_cache_key"u8, request.PromptCacheKey);
        json.WriteStartObject("reasoning"u8);
        json.WriteString("effort"u8, request.ReasoningEffort);
        json.WriteString("summary"u8, request.ReasoningSummary);
        json.WriteEndObject();
        json.WriteString("service_tier"u8, "default"u8);
        json.WriteBoolean("store"u8, request.Store);
        WriteRaw(json, "temperature"u8, request.TemperatureJson, "1.0");
        WriteRaw(json, "text"u8, request.TextJson, """{"format":{"type":"text"}}""");
        WriteRaw(json, "tool_choice"u8, request.ToolChoiceJson, "\"auto\"");
        WriteRaw(json, "tools"u8, request.ToolsJson, "[]");
        WriteRaw(json, "top_p"u8, request.TopPJson, "1.0");
        json.WriteString("truncation"u8, "disabled"u8);
        if (usage is { } known)
        {
            WriteUsage(json, known);
        }
        else
        {
            json.WriteNull("usage"u8);
        }

        json.WriteString("user"u8, request.User);
        WriteRaw(json, "metadata"u8, request.MetadataJson, "{}");
        json.WriteEndObject();
    }

    public static void WriteUsage(Utf8JsonWriter json, TokenUsage usage)
    {
        json.WriteStartObject("usage"u8);
        json.WriteNumber("input_tokens"u8, usage.PromptTokens);
        json.WriteStartObject("input_tokens_details"u8);
        json.WriteNumber("cached_tokens"u8, usage.CachedPromptTokens);
        json.WriteEndObject();
        json.WriteNumber("output_tokens"u8, usage.CompletionTokens);
        json.WriteStartObject("output_tokens_details"u8);
        json.WriteNumber("reasoning_tokens"u8, usage.ReasoningTokens);
        json.WriteEndObject();
        json.WriteNumber("total_tokens"u8, usage.TotalTokens);
        json.WriteEndObject();
    }

    private static void WriteRaw(Utf8JsonWriter json, ReadOnlySpan<byte> name, string? raw, string fallback)
    {
        json.WritePropertyName(name);
        json.WriteRawValue(raw ?? fallback, skipInputValidation: true);
    }
}
