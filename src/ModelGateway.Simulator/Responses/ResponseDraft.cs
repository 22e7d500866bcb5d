using System.Text;
using ModelGateway.Simulator.Generation;

namespace ModelGateway.Simulator.Responses;

/// <summary>Everything a response object says, built once and written whole, streamed, or stored.</summary>
internal sealed record ResponseDraft(
    string Id, long CreatedAt, ResponsesRequest Request, IReadOnlyList<OutputItem> Output, ChatUsage Usage, bool Incomplete)
{
    public const string ReasoningSummary = "The simulator considered the request and planned its deterministic reply.";

    public static ResponseDraft Build(string id, long createdAt, ResponsesRequest request, ChatReply reply)
    {
        var suffix = id["resp_".Length..];
        var choice = reply.Choices[0];
        var output = new List<OutputItem>(choice.ToolCalls.Count + 2);
        if (request.Prompt.Reasoning)
        {
            output.Add(new ReasoningItem(
                "rs_" + suffix,
                request.Echo.ReasoningSummary is null ? null : ReasoningSummary,
                request.Echo.IncludeEncryptedReasoning ? Convert.ToBase64String(Encoding.UTF8.GetBytes("simulated-reasoning:" + id)) : null));
        }

        if (choice.ToolCalls.Count == 0)
        {
            output.Add(new MessageItem("msg_" + suffix, choice.Words, choice.Finish == ReplyFinish.Length));
        }

        for (var k = 0; k < choice.ToolCalls.Count; k++)
        {
            output.Add(new FunctionCallItem($"fc_{suffix}_{k}", choice.ToolCalls[k]));
        }

        return new ResponseDraft(id, createdAt, request, output, reply.Usage, choice.Finish == ReplyFinish.Length);
    }

    public string Status => Incomplete ? "incomplete" : "completed";

    /// <summary>The conversation after this response, for a continuation.</summary>
    public ConversationSummary ConversationAfter()
    {
        var before = Request.Conversation;
        var callIds = new HashSet<string>(before.CallIds, StringComparer.Ordinal);
        long bytes = before.TextBytes;
        foreach (var item in Output)
        {
            switch (item)
            {
                case MessageItem message:
                    bytes += Encoding.UTF8.GetByteCount(message.Text);
                    break;
                case FunctionCallItem call:
                    callIds.Add(call.Call.Id);
                    bytes += Encoding.UTF8.GetByteCount(call.Call.Name) + Encoding.UTF8.GetByteCount(call.Call.Arguments);
                    break;
            }
        }

        return new ConversationSummary(bytes, before.ItemCount + Output.Count, before.LastUserText, callIds);
    }
}
