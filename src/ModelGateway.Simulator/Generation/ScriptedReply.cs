using System.Globalization;
using System.Text;

namespace ModelGateway.Simulator.Generation;

/// <summary>
/// The reply of a <see cref="ScriptSpec"/>: the scripted answer after a tool result, else the first scripted call
/// whose tool the request offers (so one script serves Codex's <c>exec_command</c> and Claude Code's <c>Bash</c>).
/// </summary>
internal static class ScriptedReply
{
    public static ChatReply Plan(ChatPrompt prompt, ScriptSpec script)
    {
        var call = prompt.ToolResultText is null && prompt.ToolChoice != ToolChoiceMode.None
            ? FirstOffered(prompt, script)
            : null;
        var choice = call is null ? Answer(script.Answer) : ToolCall(prompt, call);
        var usage = new ChatUsage(prompt.PromptTokens, choice.OutputTokens, CachedTokens: 0, ReasoningTokens: 0);
        return new ChatReply([choice], usage);
    }

    private static ScriptedToolCall? FirstOffered(ChatPrompt prompt, ScriptSpec script)
    {
        foreach (var candidate in script.ToolCalls)
        {
            if (prompt.Tools.Any(t => t.Name == candidate.Name)
                && (prompt.ToolChoice != ToolChoiceMode.Named || prompt.ToolChoiceName == candidate.Name))
            {
                return candidate;
            }
        }

        return null;
    }

    private static ReplyChoice Answer(string answer)
    {
        var words = answer.Split(' ');
        return new ReplyChoice
        {
            Index = 0,
            Words = words,
            Finish = ReplyFinish.Stop,
            OutputTokens = TokenEstimator.Text(Encoding.UTF8.GetByteCount(answer)),
        };
    }

    private static ReplyChoice ToolCall(ChatPrompt prompt, ScriptedToolCall call)
    {
        var arguments = call.Arguments.GetRawText();
        var hash = StableHash.Mix(StableHash.Of(prompt.LastUserText) ^ StableHash.Of(call.Name), (ulong)prompt.PromptTokens);
        var id = string.Create(CultureInfo.InvariantCulture, $"call_{hash:x16}");
        return new ReplyChoice
        {
            Index = 0,
            ToolCalls = [new PlannedToolCall(id, call.Name, arguments)],
            Finish = ReplyFinish.ToolCalls,
            OutputTokens = TokenEstimator.Text(Encoding.UTF8.GetByteCount(call.Name) + Encoding.UTF8.GetByteCount(arguments)),
        };
    }
}
