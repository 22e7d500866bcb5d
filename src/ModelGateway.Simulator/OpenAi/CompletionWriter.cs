using System.Text.Json;
using ModelGateway.Simulator.Generation;

namespace ModelGateway.Simulator.OpenAi;

/// <summary>
/// Writes legacy completions as OpenAI does: a <c>text_completion</c> object with <c>choices[].text</c>, and
/// stream chunks that are <c>text_completion</c> objects too (one text fragment each, then a chunk with empty text
/// and the <c>finish_reason</c>), the usage-only chunk (<c>choices: []</c>) when asked, then <c>[DONE]</c>.
/// </summary>
internal static class CompletionWriter
{
    public static void WriteObject(Utf8JsonWriter writer, ChatCompletionResult result)
    {
        Begin(writer, result);
        writer.WriteStartArray("choices"u8);
        foreach (var choice in result.Reply.Choices)
        {
            WriteChoice(writer, choice.Index, choice.Text, OpenAiFinishReasons.Of(choice.Finish));
        }

        writer.WriteEndArray();
        WriteUsage(writer, result.Reply.Usage);
        writer.WriteString("system_fingerprint"u8, OpenAiJson.SystemFingerprint);
        writer.WriteEndObject();
    }

    /// <summary>The stream's chunks in order: each choice's text fragments, then its finish chunk.</summary>
    public static IEnumerable<Action<Utf8JsonWriter>> Chunks(ChatCompletionResult result)
    {
        foreach (var choice in result.Reply.Choices)
        {
            for (var i = 0; i < choice.Words.Count; i++)
            {
                var text = i < choice.Words.Count - 1 ? choice.Words[i] + " " : choice.Words[i];
                yield return json => WriteChunk(json, result, choice.Index, text, null);
            }

            var finish = OpenAiFinishReasons.Of(choice.Finish);
            yield return json => WriteChunk(json, result, choice.Index, string.Empty, finish);
        }

        if (result.IncludeUsage)
        {
            yield return json =>
            {
                Begin(json, result);
                json.WriteStartArray("choices"u8);
                json.WriteEndArray();
                WriteUsage(json, result.Reply.Usage);
                json.WriteString("system_fingerprint"u8, OpenAiJson.SystemFingerprint);
                json.WriteEndObject();
            };
        }
    }

    private static void WriteChunk(Utf8JsonWriter json, ChatCompletionResult result, int index, string text, string? finish)
    {
        Begin(json, result);
        json.WriteStartArray("choices"u8);
        WriteChoice(json, index, text, finish);
        json.WriteEndArray();
        if (result.IncludeUsage)
        {
            json.WriteNull("usage"u8);
        }

        json.WriteString("system_fingerprint"u8, OpenAiJson.SystemFingerprint);
        json.WriteEndObject();
    }

    private static void Begin(Utf8JsonWriter writer, ChatCompletionResult result)
    {
        writer.WriteStartObject();
        writer.WriteString("id"u8, result.Id);
        writer.WriteString("object"u8, "text_completion"u8);
        writer.WriteNumber("created"u8, result.Created);
        writer.WriteString("model"u8, result.Model);
    }

    private static void WriteChoice(Utf8JsonWriter writer, int index, string text, string? finish)
    {
        writer.WriteStartObject();
        writer.WriteString("text"u8, text);
        writer.WriteNumber("index"u8, index);
        writer.WriteNull("logprobs"u8);
        writer.WriteString("finish_reason"u8, finish);
        writer.WriteEndObject();
    }

    private static void WriteUsage(Utf8JsonWriter writer, ChatUsage usage)
    {
        writer.WriteStartObject("usage"u8);
        writer.WriteNumber("prompt_tokens"u8, usage.PromptTokens);
        writer.WriteNumber("completion_tokens"u8, usage.CompletionTokens);
        writer.WriteNumber("total_tokens"u8, usage.TotalTokens);
        writer.WriteEndObject();
    }
}
