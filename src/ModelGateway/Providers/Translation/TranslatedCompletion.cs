using System.Text.Json;
using ModelGateway.Requests;

namespace ModelGateway.Providers.Translation;

/// <summary>A whole (non-streamed) reply translated from a provider, written as an OpenAI <c>chat.completion</c>.</summary>
internal sealed class TranslatedCompletion : ITranslatedBody
{
    public required string Id { get; init; }

    public required string Model { get; init; }

    public required long Created { get; init; }

    /// <summary>Null when the reply had no text (e.g. only tool calls).</summary>
    public string? Content { get; init; }

    public IReadOnlyList<TranslatedToolCall> ToolCalls { get; init; } = [];

    public required string FinishReason { get; init; }

    public TokenUsage? Usage { get; init; }

    public void Write(Utf8JsonWriter json)
    {
        json.WriteStartObject();
        json.WriteString("id"u8, Id);
        json.WriteString("object"u8, "chat.completion"u8);
        json.WriteNumber("created"u8, Created);
        json.WriteString("model"u8, Model);
        json.WriteStartArray("choices"u8);
        json.WriteStartObject();
        json.WriteNumber("index"u8, 0);
        json.WriteStartObject("message"u8);
        json.WriteString("role"u8, "assistant"u8);
        json.WriteString("content"u8, Content);
        json.WriteNull("refusal"u8);
        if (ToolCalls.Count > 0)
        {
            json.WriteStartArray("tool_calls"u8);
            foreach (var call in ToolCalls)
            {
                json.WriteStartObject();
                json.WriteString("id"u8, call.Id);
                json.WriteString("type"u8, "function"u8);
                json.WriteStartObject("function"u8);
                json.WriteString("name"u8, call.Name);
                json.WriteString("arguments"u8, call.Arguments);
                json.WriteEndObject();
                json.WriteEndObject();
            }

            json.WriteEndArray();
        }

        json.WriteEndObject();
        json.WriteNull("logprobs"u8);
        json.WriteString("finish_reason"u8, FinishReason);
        json.WriteEndObject();
        json.WriteEndArray();
        if (Usage is { } usage)
        {
            json.WritePropertyName("usage"u8);
            OpenAiUsageJson.Write(json, usage);
        }

        json.WriteNull("system_fingerprint"u8);
        json.WriteEndObject();
    }
}

/// <summary>A tool call of a translated reply; <see cref="Arguments"/> is JSON text, as OpenAI sends it.</summary>
internal sealed record TranslatedToolCall(string Id, string Name, string Arguments);
