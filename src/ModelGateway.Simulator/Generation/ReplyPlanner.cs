using System.Globalization;
using System.Text;

namespace ModelGateway.Simulator.Generation;

/// <summary>
/// Decides the reply to a chat request, deterministically: the same prompt and shape give the same reply.
/// </summary>
internal static class ReplyPlanner
{
    public const int ReasoningTokensPerChoice = 8;
    public const int ToolResultSnippetLength = 40;
    private const ulong WrongToolSalt = 0x57524F4E47;
    private const ulong BrokenJsonSalt = 0x42524F4B454E;

    /// <param name="prompt">The request, whatever its wire format.</param>
    /// <param name="shape">The reply's length and the simulator's name.</param>
    /// <param name="script">When set, the scripted agent turn replaces the generated reply.</param>
    /// <param name="profile">The model's answer profile: wrong tools and broken JSON in set shares of answers.</param>
    public static ChatReply Plan(ChatPrompt prompt, ReplyShape shape, ScriptSpec? script = null, AnswerProfile? profile = null)
    {
        if (script is not null)
        {
            return ScriptedReply.Plan(prompt, script);
        }

        var seed = StableHash.Of(prompt.LastUserText);
        var callTools = prompt.Tools.Count > 0
            && prompt.ToolChoice != ToolChoiceMode.None
            && prompt.ToolResultText is null;
        var reasoning = prompt.Reasoning ? ReasoningTokensPerChoice : 0;
        var choices = new ReplyChoice[prompt.ChoiceCount];
        var completionTokens = 0;
        for (var i = 0; i < choices.Length; i++)
        {
            var choiceSeed = StableHash.Mix(seed, (ulong)i);
            var choice = callTools
                ? PlanToolCalls(prompt, shape, choiceSeed, i, profile)
                : prompt.StructuredAnswer is { } structured && prompt.ToolResultText is null
                    ? PlanStructured(prompt, structured, i, profile)
                    : PlanText(prompt, shape, choiceSeed, i, reasoning);
            choices[i] = choice;
            completionTokens += choice.OutputTokens + reasoning;
        }

        var cached = prompt.PromptCached ? prompt.PromptTokens / 2 : 0;
        var usage = new ChatUsage(prompt.PromptTokens, completionTokens, cached, reasoning * choices.Length);
        return new ChatReply(choices, usage);
    }

    private static ReplyChoice PlanText(ChatPrompt prompt, ReplyShape shape, ulong seed, int index, int reasoning)
    {
        var toolResultWords = prompt.ToolResultText is { } toolResult ? ToolResultWords(shape.Name, toolResult) : null;
        var wanted = toolResultWords?.Length ?? shape.Words;
        var budget = prompt.MaxOutputTokens is { } max ? Math.Max(0, max - reasoning) : int.MaxValue;
        var visible = Math.Min(wanted, budget);
        var words = new string[visible];
        for (var i = 0; i < visible; i++)
        {
            words[i] = toolResultWords?[i] ?? i switch
            {
                0 => shape.Name,
                1 => "says",
                _ => Vocabulary.Pick(StableHash.Mix(seed, (ulong)i)),
            };
        }

        return new ReplyChoice
        {
            Index = index,
            Words = words,
            Finish = visible < wanted ? ReplyFinish.Length : ReplyFinish.Stop,
            OutputTokens = visible,
        };
    }

    private static string[] ToolResultWords(string name, string toolResult)
    {
        var length = Math.Min(toolResult.Length, ToolResultSnippetLength);
        if (length < toolResult.Length && char.IsHighSurrogate(toolResult[length - 1]))
        {
            length--;
        }

        return length == 0
            ? [name, "got", "tool", "result:"]
            : [name, "got", "tool", "result:", toolResult[..length]];
    }

    /// <summary>The schema-shaped JSON answer as one content chunk; cut short (invalid) in the profile's broken share.</summary>
    private static ReplyChoice PlanStructured(ChatPrompt prompt, string answer, int index, AnswerProfile? profile)
    {
        if (Profiles.AnswerProfiles.Hits(profile, profile?.BrokenJsonShare ?? 0, prompt.LastUserText, BrokenJsonSalt + (ulong)index))
        {
            answer = answer[..^1];
        }

        return new ReplyChoice
        {
            Index = index,
            Words = [answer],
            Finish = ReplyFinish.Stop,
            OutputTokens = TokenEstimator.Text(Encoding.UTF8.GetByteCount(answer)),
        };
    }

    private static ReplyChoice PlanToolCalls(ChatPrompt prompt, ReplyShape shape, ulong seed, int index, AnswerProfile? profile)
    {
        var named = prompt.ToolChoice == ToolChoiceMode.Named
            ? prompt.Tools.First(t => t.Name == prompt.ToolChoiceName)
            : null;
        var calls = new PlannedToolCall[Math.Min(prompt.Tools.Count, shape.ToolCalls)];
        var tokens = 0;
        var wrong = prompt.Tools.Count > 1
            && Profiles.AnswerProfiles.Hits(profile, profile?.WrongToolShare ?? 0, prompt.LastUserText, WrongToolSalt + (ulong)index);
        for (var k = 0; k < calls.Length; k++)
        {
            var tool = named ?? prompt.Tools[k];
            if (wrong && k == 0)
            {
                // Another of the offered tools than the one a good model calls first.
                var offset = 1 + (int)(StableHash.Mix(seed, WrongToolSalt) % (ulong)(prompt.Tools.Count - 1));
                var right = k;
                for (var t = 0; t < prompt.Tools.Count; t++)
                {
                    right = ReferenceEquals(prompt.Tools[t], tool) ? t : right;
                }

                tool = prompt.Tools[(right + offset) % prompt.Tools.Count];
            }

            var idHash = StableHash.Mix(seed ^ StableHash.Of(tool.Name), (ulong)k);
            var id = string.Create(CultureInfo.InvariantCulture, $"call_{idHash:x16}");
            calls[k] = new PlannedToolCall(id, tool.Name, tool.Arguments);
            tokens += TokenEstimator.Text(Encoding.UTF8.GetByteCount(tool.Name) + Encoding.UTF8.GetByteCount(tool.Arguments));
        }

        return new ReplyChoice { Index = index, ToolCalls = calls, Finish = ReplyFinish.ToolCalls, OutputTokens = tokens };
    }
}
