using System.Text.Json;

namespace ModelGateway.Simulator.OpenAi;

/// <summary>Writes a non-streamed <c>chat.completion</c> object.</summary>
internal static class ChatCompletionWriter
{
    public static void Write(Utf8JsonWriter writer, ChatCompletionResult result)
    {
        writer.WriteStartObject();
        writer.WriteString("id"u8, result.Id);
        writer.WriteString("object"u8, "chat.completion"u8);
        writer.WriteNumber("created"u8, result.Created);
        writer.WriteString("model"u8, result.Model);
        writer.WriteStartArray("choices"u8);
        foreach (var choice in result.Reply.Choices)
        {
            writer.WriteStartObject();
            writer.WriteNumber("index"u8, choice.Index);
            writer.WriteStartObject("message"u8);
            writer.WriteString("role"u8, "assistant"u8);
            if (result.ReasoningText is { } reasoning)
            {
                writer.WriteString(result.Dialect.ReasoningField!, reasoning);
            }

            if (choice.ToolCalls.Count > 0)
            {
                writer.WriteNull("content"u8);
                writer.WriteNull("refusal"u8);
                writer.WriteStartArray("tool_calls"u8);
                foreach (var call in choice.ToolCalls)
                {
                    writer.WriteStartObject();
                    writer.WriteString("id"u8, call.Id);
                    writer.WriteString("type"u8, "function"u8);
                    writer.WriteStartObject("function"u8);
                    writer.WriteString("name"u8, call.Name);
                    writer.WriteString("arguments"u8, call.Arguments);
                    writer.WriteEndObject();
                    writer.WriteEndObject();
                }

                writer.WriteEndArray();
            }
            else
            {
                writer.WriteString("content"u8, choice.Text);
                writer.WriteNull("refusal"u8);
            }

            writer.WriteStartArray("annotations"u8);
            writer.WriteEndArray();
            writer.WriteEndObject();
            writer.WriteNull("logprobs"u8);
            writer.WriteString("finish_reason"u8, OpenAiFinishReasons.Of(choice.Finish));
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        UsageWriter.Write(writer, result.Reply.Usage, result.Dialect.Usage);
        writer.WriteString("service_tier"u8, "default"u8);
        writer.WriteString("system_fingerprint"u8, OpenAiJson.SystemFingerprint);
        writer.WriteEndObject();
    }
}
