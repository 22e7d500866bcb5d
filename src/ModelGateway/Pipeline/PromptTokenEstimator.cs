using System.Buffers;
using System.Text;
using Microsoft.ML.Tokenizers;

namespace ModelGateway.Pipeline;

/// <summary>
/// Estimates a request's prompt tokens before it is sent, for the reservation. The tokenizer (o200k_base, shipped
/// in a package, no network) counts the request body as text, JSON syntax included, so it errs on the high side;
/// the upstream's reported usage is what is billed. Past <see cref="TokenizedPrefixBytes"/> the rest counts as
/// bytes / 4, which keeps a huge body (inline images) from costing milliseconds. The cheap estimate alone
/// (<c>PromptEstimator: bytes</c>) is bytes / 4 throughout. docs/benchmarks.md has the measured costs.
/// </summary>
internal static class PromptTokenEstimator
{
    public const int TokenizedPrefixBytes = 64 * 1024;

    private static readonly Lazy<Tokenizer> O200k = new(() => TiktokenTokenizer.CreateForEncoding("o200k_base"));

    public static int Estimate(ReadOnlySpan<byte> body, bool useTokenizer)
    {
        if (!useTokenizer || body.IsEmpty)
        {
            return BytesEstimate(body.Length);
        }

        var prefix = body[..Math.Min(body.Length, TokenizedPrefixBytes)];
        var chars = ArrayPool<char>.Shared.Rent(Encoding.UTF8.GetMaxCharCount(prefix.Length));
        try
        {
            var length = Encoding.UTF8.GetChars(prefix, chars);
            return O200k.Value.CountTokens(chars.AsSpan(0, length)) + BytesEstimate(body.Length - prefix.Length);
        }
        finally
        {
            ArrayPool<char>.Shared.Return(chars);
        }
    }

    public static int BytesEstimate(int bytes) => (bytes + 3) / 4;
}
