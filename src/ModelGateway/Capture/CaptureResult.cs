namespace ModelGateway.Capture;

/// <summary>What became of a request that opted into capture; one closed set, counted by <see cref="CaptureMetrics"/>.</summary>
internal enum CaptureResult
{
    /// <summary>Stored in the ledger database.</summary>
    Captured,

    /// <summary>The request's sensitivity level is above <c>Capture:MaxSensitivity</c>.</summary>
    AboveLevel,

    /// <summary>The deployment that served it belongs to a provider whose training use is forbidden.</summary>
    ProviderForbidden,

    /// <summary>Not a chat conversation the fine-tuning format carries (embeddings, images, audio, a native non-chat answer).</summary>
    Unsupported,

    /// <summary>The answer was larger than <c>Capture:MaxResponseBytes</c>.</summary>
    TooLarge,

    /// <summary>No clean, complete answer: an error, a cut stream, a length or content-filter stop, an empty answer.</summary>
    Incomplete,

    /// <summary>A detector still matches after redaction, or (redaction off) the content is above the maximum level.</summary>
    SensitiveContent,

    /// <summary>The conversation or answer is not well formed for training (arguments not JSON, an unanswered tool call).</summary>
    Malformed,

    /// <summary>The writer's queue was full.</summary>
    QueueFull,

    /// <summary>The ledger database refused the write or was away.</summary>
    StoreFailed,
}

/// <summary>The stable label of each result, for metrics and docs.</summary>
internal static class CaptureResults
{
    public static string Name(CaptureResult result) => result switch
    {
        CaptureResult.Captured => "captured",
        CaptureResult.AboveLevel => "above_level",
        CaptureResult.ProviderForbidden => "provider_forbidden",
        CaptureResult.Unsupported => "unsupported",
        CaptureResult.TooLarge => "too_large",
        CaptureResult.Incomplete => "incomplete",
        CaptureResult.SensitiveContent => "sensitive_content",
        CaptureResult.Malformed => "malformed",
        CaptureResult.QueueFull => "queue_full",
        CaptureResult.StoreFailed => "store_failed",
        _ => throw new ArgumentOutOfRangeException(nameof(result)),
    };
}
