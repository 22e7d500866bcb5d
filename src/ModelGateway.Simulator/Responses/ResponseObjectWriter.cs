using System.Text.Json;

namespace ModelGateway.Simulator.Responses;

/// <summary>
/// Writes the response object and its output items in OpenAI's shape. In progress (as in <c>response.created</c>):
/// <c>status: "in_progress"</c>, <c>output: []</c>, <c>usage: null</c>.
/// </summary>
internal static class ResponseObjectWriter
{
    public static void Write(Utf8JsonWriter json, ResponseDraft draft, bool final)
    {
        var request = draft.Request;
        var echo = request.Echo;
        json.WriteStartObject();
        json.WriteString("id"u8, draft.Id);
        json.WriteString("object"u8, "response"u8);
        json.WriteNumber("created_at"u8, draft.CreatedAt);
        json.WriteString("status"u8, final ? draft.Status : "in_progress");
        json.WriteBoolean("background"u8, false);
        json.WriteNull("error"u8);
        if (final && draft.Incomplete)
        {
            json.WriteStartObject("incomplete_details"u8);
            json.WriteString("reason"u8, "max_output_tokens"u8);
            json.WriteEndObject();
        }
        else
        {
            json.WriteNull("incomplete_details"u8);
        }

        WriteRaw(json, "instructions"u8, echo.Instructions, "null");
        if (echo.MaxOutputTokens is { } max)
        {
            json.WriteNumber("max_output_tokens"u8, max);
        }
        else
        {
            json.WriteNull("max_output_tokens"u8);
        }

        json.WriteString("model"u8, request.Model);
        json.WriteStartArray("output"u8);
        if (final)
        {
            foreach (var item in draft.Output)
            {
                WriteItem(json, item, done: true);
            }
        }

        json.WriteEndArray();
        json.WriteBoolean("parallel_tool_calls"u8, echo.ParallelToolCalls);
        json.WriteString("previous_response_id"u8, request.PreviousResponseId);
        json.WriteString("prompt_cache_key"u8, echo.PromptCacheKey);
        json.WriteStartObject("reasoning"u8);
        json.WriteString("effort"u8, echo.ReasoningEffort);
        json.WriteString("summary"u8, echo.ReasoningSummary);
        json.WriteEndObject();
        json.WriteString("service_tier"u8, "default"u8);
        json.WriteBoolean("store"u8, request.Store);
        WriteRaw(json, "temperature"u8, echo.Temperature, "1.0");
        WriteRaw(json, "text"u8, echo.Text, """{"format":{"type":"text"},"verbosity":"medium"}""");
        WriteRaw(json, "tool_choice"u8, echo.ToolChoice, "\"auto\"");
        WriteRaw(json, "tools"u8, echo.Tools, "[]");
        WriteRaw(json, "top_p"u8, echo.TopP, "1.0");
        json.WriteString("truncation"u8, "disabled"u8);
        if (final)
        {
            WriteUsage(json, draft);
        }
        else
        {
            json.WriteNull("usage"u8);
        }

        json.WriteString("user"u8, echo.User);
        WriteRaw(json, "metadata"u8, echo.Metadata, "{}");
        json.WriteEndObject();
    }

    /// <summary>An output item; not done (as in <c>response.output_item.added</c>) it is empty and in progress.</summary>
    public static void WriteItem(Utf8JsonWriter json, OutputItem item, bool done)
    {
        json.WriteStartObject();
        json.WriteString("id"u8, item.Id);
        switch (item)
        {
            case ReasoningItem reasoning:
                json.WriteString("type"u8, "reasoning"u8);
                json.WriteStartArray("summary"u8);
                if (done && reasoning.Summary is { } summary)
                {
                    WriteSummaryPart(json, summary);
                }

                json.WriteEndArray();
                if (reasoning.EncryptedContent is { } encrypted)
                {
                    json.WriteString("encrypted_content"u8, encrypted);
                }

                break;
            case MessageItem message:
                json.WriteString("type"u8, "message"u8);
                json.WriteString("status"u8, !done ? "in_progress" : message.Incomplete ? "incomplete" : "completed");
                json.WriteStartArray("content"u8);
                if (done)
                {
                    WriteTextPart(json, message.Text);
                }

                json.WriteEndArray();
                json.WriteString("role"u8, "assistant"u8);
                break;
            case FunctionCallItem call:
                json.WriteString("type"u8, "function_call"u8);
                json.WriteString("status"u8, done ? "completed" : "in_progress");
                json.WriteString("arguments"u8, done ? call.Call.Arguments : string.Empty);
                json.WriteString("call_id"u8, call.Call.Id);
                json.WriteString("name"u8, call.Call.Name);
                break;
        }

        json.WriteEndObject();
    }

    public static void WriteTextPart(Utf8JsonWriter json, string text)
    {
        json.WriteStartObject();
        json.WriteString("type"u8, "output_text"u8);
        json.WriteStartArray("annotations"u8);
        json.WriteEndArray();
        json.WriteStartArray("logprobs"u8);
        json.WriteEndArray();
        json.WriteString("text"u8, text);
        json.WriteEndObject();
    }

    public static void WriteSummaryPart(Utf8JsonWriter json, string text)
    {
        json.WriteStartObject();
        json.WriteString("type"u8, "summary_text"u8);
        json.WriteString("text"u8, text);
        json.WriteEndObject();
    }

    private static void WriteUsage(Utf8JsonWriter json, ResponseDraft draft)
    {
        var usage = draft.Usage;
        json.WriteStartObject("usage"u8);
        json.WriteNumber("input_tokens"u8, usage.PromptTokens);
        json.WriteStartObject("input_tokens_details"u8);
        json.WriteNumber("cached_tokens"u8, usage.CachedTokens);
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
