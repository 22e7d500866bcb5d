using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace ModelGateway.Simulator.Faults;

/// <summary>
/// Parses the <c>x-sim-fault</c> request header: <c>;</c>-separated items, keys case-insensitive.
/// <c>status=429</c>, <c>retry-after=2</c>, <c>message=text</c>, <c>latency=300</c>, <c>reset</c>,
/// <c>cut=3</c>, <c>truncate=3</c>, <c>body=html</c>, <c>big-event=104857600;after=2</c>, <c>prompt-tokens=-5</c>. One kind per header; <c>latency</c> alone is a latency fault,
/// with another kind it delays that fault.
/// </summary>
internal static class FaultHeaderParser
{
    public static bool TryParse(string header, [NotNullWhen(true)] out FaultSpec? fault, [NotNullWhen(false)] out string? error)
    {
        fault = null;
        FaultKind? kind = null;
        var spec = new FaultSpec();
        foreach (var item in header.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = item.IndexOf('=', StringComparison.Ordinal);
            var key = (equals < 0 ? item : item[..equals]).Trim().ToUpperInvariant();
            var value = equals < 0 ? null : item[(equals + 1)..].Trim();
            FaultKind? itemKind = null;
            switch (key)
            {
                case "STATUS" when TryInt(value, out var status):
                    spec = spec with { Status = status };
                    itemKind = FaultKind.Status;
                    break;
                case "RETRY-AFTER" when TryInt(value, out var seconds):
                    spec = spec with { RetryAfterSeconds = seconds };
                    break;
                case "MESSAGE" when value is { Length: > 0 }:
                    spec = spec with { Message = value };
                    break;
                case "LATENCY" when TryInt(value, out var latency):
                    spec = spec with { LatencyMs = latency };
                    break;
                case "RESET" when value is null:
                    itemKind = FaultKind.Reset;
                    break;
                case "CUT" when TryInt(value, out var chunks):
                    spec = spec with { AfterChunks = chunks };
                    itemKind = FaultKind.CutStream;
                    break;
                case "TRUNCATE" when TryInt(value, out var chunks):
                    spec = spec with { AfterChunks = chunks };
                    itemKind = FaultKind.TruncateStream;
                    break;
                case "BODY" when value is { Length: > 0 }:
                    spec = spec with { Body = value.ToLowerInvariant() };
                    itemKind = FaultKind.BrokenBody;
                    break;
                case "BIG-EVENT" when long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var bytes):
                    spec = spec with { EventBytes = bytes };
                    itemKind = FaultKind.OversizedEvent;
                    break;
                case "AFTER" when TryInt(value, out var chunks):
                    spec = spec with { AfterChunks = chunks };
                    break;
                case "PROMPT-TOKENS" when int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var tokens):
                    spec = spec with { PromptTokens = tokens };
                    itemKind = FaultKind.BadUsage;
                    break;
                default:
                    error = $"Cannot read '{item}' in the x-sim-fault header (see docs/simulator.md).";
                    return false;
            }

            if (itemKind is not null)
            {
                if (kind is not null && kind != itemKind)
                {
                    error = "The x-sim-fault header names more than one fault kind.";
                    return false;
                }

                kind = itemKind;
            }
        }

        kind ??= spec.LatencyMs > 0 ? FaultKind.Latency : null;
        if (kind is null)
        {
            error = "The x-sim-fault header names no fault (status, latency, reset, cut, truncate, body, big-event or prompt-tokens).";
            return false;
        }

        spec = spec with { Kind = kind.Value };
        error = FaultValidator.Validate(spec);
        fault = error is null ? spec : null;
        return fault is not null;
    }

    private static bool TryInt(string? value, out int result) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out result);
}
