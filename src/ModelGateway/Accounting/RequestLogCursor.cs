using System.Buffers.Text;
using System.Globalization;
using System.Text;

namespace ModelGateway.Accounting;

/// <summary>Where a page of the request log ended: the last row's time (Unix ms) and id, as an opaque URL-safe token.</summary>
public sealed record RequestLogCursor(long UnixMs, string RequestId)
{
    public override string ToString() =>
        Base64Url.EncodeToString(Encoding.UTF8.GetBytes(UnixMs.ToString(CultureInfo.InvariantCulture) + ":" + RequestId));

    public static bool TryParse(string text, out RequestLogCursor? cursor)
    {
        cursor = null;
        try
        {
            var decoded = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(text));
            var colon = decoded.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0 && long.TryParse(decoded.AsSpan(0, colon), NumberStyles.None, CultureInfo.InvariantCulture, out var ms) && colon < decoded.Length - 1)
            {
                cursor = new RequestLogCursor(ms, decoded[(colon + 1)..]);
                return true;
            }
        }
        catch (FormatException)
        {
            // Not base64url: reported as a bad cursor below.
        }

        return false;
    }
}
