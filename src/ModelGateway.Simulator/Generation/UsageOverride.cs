using ModelGateway.Simulator.Hosting;
using ModelGateway.Simulator.OpenAi;

namespace ModelGateway.Simulator.Generation;

/// <summary>
/// The <c>x-sim-prompt-tokens</c> and <c>x-sim-cached-tokens</c> headers: report exact prompt and cache-hit
/// counts, so a test can check billing against known figures (e.g. 1,000 cache hits).
/// </summary>
internal readonly record struct UsageOverride(int? PromptTokens, int? CachedTokens)
{
    private const int MaxTokens = 10_000_000;

    public static OpenAiError? Read(IHeaderDictionary headers, out UsageOverride value)
    {
        value = default;
        if (!SimulatorHeaderReader.TryReadInt(headers, SimulatorHeaders.PromptTokens, 1, MaxTokens, -1, out var prompt))
        {
            return OpenAiErrors.InvalidHeader(SimulatorHeaders.PromptTokens, $"{SimulatorHeaders.PromptTokens} must be an integer between 1 and {MaxTokens}.");
        }

        if (!SimulatorHeaderReader.TryReadInt(headers, SimulatorHeaders.CachedTokens, 0, MaxTokens, -1, out var cached))
        {
            return OpenAiErrors.InvalidHeader(SimulatorHeaders.CachedTokens, $"{SimulatorHeaders.CachedTokens} must be an integer between 0 and {MaxTokens}.");
        }

        value = new UsageOverride(prompt < 0 ? null : prompt, cached < 0 ? null : cached);
        return null;
    }

    public ChatReply Apply(ChatReply reply)
    {
        if (PromptTokens is null && CachedTokens is null)
        {
            return reply;
        }

        var prompt = PromptTokens ?? Math.Max(reply.Usage.PromptTokens, CachedTokens ?? 0);
        var cached = Math.Min(CachedTokens ?? reply.Usage.CachedTokens, prompt);
        return reply with { Usage = reply.Usage with { PromptTokens = prompt, CachedTokens = cached } };
    }
}
