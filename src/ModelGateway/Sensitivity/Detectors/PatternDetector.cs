using System.Buffers;
using System.Text;
using System.Text.RegularExpressions;

namespace ModelGateway.Sensitivity.Detectors;

/// <summary>
/// A custom detector from configuration: a non-backtracking regular expression with a match timeout. A pattern
/// that times out counts as a match, so a slow pattern can only make routing stricter, never leak data.
/// </summary>
internal sealed class PatternDetector : ContentDetector
{
    private readonly Regex _regex;

    public PatternDetector(string name, Regex regex)
        : base(name)
    {
        _regex = regex;
    }

    public override bool IsMatch(ReadOnlySpan<byte> utf8)
    {
        char[]? rented = null;
        var maxChars = utf8.Length;
        var chars = maxChars <= 512 ? stackalloc char[maxChars] : (rented = ArrayPool<char>.Shared.Rent(maxChars));
        try
        {
            var length = Encoding.UTF8.GetChars(utf8, chars);
            return _regex.IsMatch(chars[..length]);
        }
        catch (RegexMatchTimeoutException)
        {
            return true;
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<char>.Shared.Return(rented);
            }
        }
    }
}
