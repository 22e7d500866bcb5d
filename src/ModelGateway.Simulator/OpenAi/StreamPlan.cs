using ModelGateway.Simulator.Generation;

namespace ModelGateway.Simulator.OpenAi;

/// <summary>Turns a reply into the chunks of its stream; choices are interleaved like OpenAI does.</summary>
internal static class StreamPlan
{
    public const int ArgumentFragments = 3;

    /// <param name="reply">The planned reply.</param>
    /// <param name="reasoning">Each choice's reasoning text, streamed before its answer; null for none.</param>
    public static List<StreamStep> Of(ChatReply reply, string? reasoning = null)
    {
        if (reply.Choices.Count == 1)
        {
            return StepsOf(reply.Choices[0], reasoning);
        }

        var perChoice = reply.Choices.Select(choice => StepsOf(choice, reasoning)).ToArray();
        var total = perChoice.Sum(s => s.Count);
        var steps = new List<StreamStep>(total);
        for (var position = 0; steps.Count < total; position++)
        {
            foreach (var choiceSteps in perChoice)
            {
                if (position < choiceSteps.Count)
                {
                    steps.Add(choiceSteps[position]);
                }
            }
        }

        return steps;
    }

    private static List<StreamStep> StepsOf(ReplyChoice choice, string? reasoning)
    {
        var steps = new List<StreamStep>(choice.Words.Count + (choice.ToolCalls.Count * (ArgumentFragments + 1)) + 3);
        if (choice.ToolCalls.Count > 0 && reasoning is not null)
        {
            steps.Add(new StreamStep(StreamStepKind.Reasoning, choice.Index, Text: reasoning));
        }

        if (choice.ToolCalls.Count == 0)
        {
            steps.Add(new StreamStep(StreamStepKind.Role, choice.Index));
            if (reasoning is not null)
            {
                steps.Add(new StreamStep(StreamStepKind.Reasoning, choice.Index, Text: reasoning));
            }

            for (var i = 0; i < choice.Words.Count; i++)
            {
                var text = i < choice.Words.Count - 1 ? choice.Words[i] + " " : choice.Words[i];
                steps.Add(new StreamStep(StreamStepKind.Content, choice.Index, Text: text));
            }
        }

        for (var k = 0; k < choice.ToolCalls.Count; k++)
        {
            steps.Add(new StreamStep(StreamStepKind.ToolCallStart, choice.Index, k));
            foreach (var fragment in Split(choice.ToolCalls[k].Arguments))
            {
                steps.Add(new StreamStep(StreamStepKind.ToolCallArguments, choice.Index, k, fragment));
            }
        }

        steps.Add(new StreamStep(StreamStepKind.Finish, choice.Index));
        return steps;
    }

    /// <summary>Splits text into up to three roughly equal pieces, never inside a surrogate pair.</summary>
    private static IEnumerable<string> Split(string text)
    {
        var size = Math.Max(1, (text.Length + ArgumentFragments - 1) / ArgumentFragments);
        for (var start = 0; start < text.Length;)
        {
            var end = Math.Min(start + size, text.Length);
            if (end < text.Length && char.IsHighSurrogate(text[end - 1]))
            {
                end++;
            }

            yield return text[start..end];
            start = end;
        }
    }
}
