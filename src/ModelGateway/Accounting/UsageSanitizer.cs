using System.Collections.Concurrent;
using ModelGateway.Requests;

namespace ModelGateway.Accounting;

/// <summary>
/// Keeps upstream-reported usage within sane bounds before anything is billed or learned from it: every figure is
/// clamped to 0..<see cref="MaxTokens"/>, cached tokens to at most the prompt and reasoning tokens to at most the
/// completion. A negative count would otherwise be recorded as a credit. Clamping is logged once per deployment
/// (an upstream that reports nonsense usually does it on every answer).
/// </summary>
internal sealed partial class UsageSanitizer
{
    /// <summary>100 million tokens: far beyond any context window, so only nonsense is clamped.</summary>
    public const int MaxTokens = 100_000_000;

    private readonly ConcurrentDictionary<string, bool> _warned = new(StringComparer.Ordinal);
    private readonly ILogger<UsageSanitizer> _logger;

    public UsageSanitizer(ILogger<UsageSanitizer> logger) => _logger = logger;

    public TokenUsage Sanitize(TokenUsage usage, string deploymentId)
    {
        var clamped = Clamp(usage);
        if (clamped != usage && _warned.TryAdd(deploymentId, true))
        {
            LogClamped(deploymentId, usage.PromptTokens, usage.CachedPromptTokens, usage.CompletionTokens, usage.ReasoningTokens);
        }

        return clamped;
    }

    public static TokenUsage Clamp(TokenUsage usage)
    {
        var prompt = Math.Clamp(usage.PromptTokens, 0, MaxTokens);
        var completion = Math.Clamp(usage.CompletionTokens, 0, MaxTokens);
        return new TokenUsage(
            prompt,
            Math.Clamp(usage.CachedPromptTokens, 0, prompt),
            completion,
            Math.Clamp(usage.ReasoningTokens, 0, completion),
            Math.Clamp(usage.CacheWritePromptTokens, 0, prompt - Math.Clamp(usage.CachedPromptTokens, 0, prompt)));
    }

    [LoggerMessage(EventId = 1500, Level = LogLevel.Warning,
        Message = "Deployment {DeploymentId} reported implausible usage (prompt={PromptTokens} cached={CachedTokens} completion={CompletionTokens} " +
                  "reasoning={ReasoningTokens}); figures are clamped to 0..100000000 before billing. Logged once per deployment.")]
    private partial void LogClamped(string deploymentId, int promptTokens, int cachedTokens, int completionTokens, int reasoningTokens);
}
