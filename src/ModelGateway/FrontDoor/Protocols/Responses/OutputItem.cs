using System.Text;
using System.Text.Json;
using ModelGateway.Requests;

namespace ModelGateway.FrontDoor.Protocols.Responses;

internal enum OutputItemKind
{
    Reasoning,
    Message,
    FunctionCall,
}

/// <summary>One output item of a response being rendered from canonical output: what has arrived of it so far.</summary>
internal sealed class OutputItem
{
    public OutputItem(OutputItemKind kind, int index, string? callId = null, string? name = null, string? @namespace = null)
    {
        Kind = kind;
        Index = index;
        Id = UniqueIds.Next(kind switch
        {
            OutputItemKind.Reasoning => "rs_",
            OutputItemKind.Message => "msg_",
            _ => "fc_",
        });
        CallId = callId ?? (kind == OutputItemKind.FunctionCall ? UniqueIds.Next("call_") : null);
        Name = name;
        Namespace = @namespace;
    }

    public OutputItemKind Kind { get; }

    public string Id { get; }

    /// <summary>Its place in the response's <c>output</c>.</summary>
    public int Index { get; }

    public string? CallId { get; }

    public string? Name { get; }

    /// <summary>A reasoning item's <c>encrypted_content</c>, when the client asked for it.</summary>
    public string? EncryptedContent { get; init; }

    /// <summary>The namespace tool of the function called (the client's own name is <see cref="Name"/>).</summary>
    public string? Namespace { get; }

    /// <summary>Text, reasoning summary text, or call arguments.</summary>
    public StringBuilder Text { get; } = new();

    public bool Done { get; set; }

    /// <summary>The message was cut (max_output_tokens, content filter).</summary>
    public bool Incomplete { get; set; }

    /// <summary>Writes the item; not done (as in <c>response.output_item.added</c>) it is empty and in progress.</summary>
    public void Write(Utf8JsonWriter json, bool done)
    {
        json.WriteStartObject();
        json.WriteString("id"u8, Id);
        var status = !done ? "in_progress" : Incomplete ? "incomplete" : "completed";
        switch (Kind)
        {
            case OutputItemKind.Reasoning:
                json.WriteString("type"u8, "reasoning"u8);
                json.WriteString("status"u8, status);
                if (EncryptedContent is not null)
                {
                    json.WriteString("encrypted_content"u8, EncryptedContent);
                }

                json.WriteStartArray("summary"u8);
                if (done)
                {
                    WriteSummaryPart(json, Text.ToString());
                }

                json.WriteEndArray();
                break;
            case OutputItemKind.Message:
                json.WriteString("type"u8, "message"u8);
                json.WriteString("status"u8, status);
                json.WriteStartArray("content"u8);
                if (done)
                {
                    WriteTextPart(json, Text.ToString());
                }

                json.WriteEndArray();
                json.WriteString("role"u8, "assistant"u8);
                break;
            case OutputItemKind.FunctionCall:
                json.WriteString("type"u8, "function_call"u8);
                json.WriteString("status"u8, status);
                json.WriteString("arguments"u8, done ? Text.ToString() : string.Empty);
                json.WriteString("call_id"u8, CallId);
                if (Namespace is not null)
                {
                    json.WriteString("namespace"u8, Namespace);
                }

                json.WriteString("name"u8, Name);
                break;
        }

        json.WriteEndObject();
    }

    public byte[] ToJson()
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            Write(json, done: true);
        }

        return buffer.ToArray();
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
}
