using ModelGateway.Simulator.Generation;

namespace ModelGateway.Simulator.OpenAi;

/// <summary>OpenAI's <c>finish_reason</c> values.</summary>
internal static class OpenAiFinishReasons
{
    public static string Of(ReplyFinish finish) => finish switch
    {
        ReplyFinish.Length => "length",
        ReplyFinish.ToolCalls => "tool_calls",
        _ => "stop",
    };
}
