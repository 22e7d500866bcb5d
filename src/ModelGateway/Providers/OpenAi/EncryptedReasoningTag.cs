using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using ModelGateway.Configuration;

namespace ModelGateway.Providers.OpenAi;

/// <summary>
/// Encrypted reasoning (and compaction) content only the provider that made it can read: OpenAI binds it to the
/// organization, so another account, an Azure resource or a self-hosted server refuses it. The gateway prefixes
/// every <c>encrypted_content</c> of a native Responses answer with a tag naming its provider (<c>mgr1.</c> and 8 hex
/// digits of a hash of the provider id), and <see cref="EncryptedReasoningFilter"/> sends an item back only to that
/// provider, tag removed. Reasoning the gateway rendered from a chat upstream carries <see cref="Translated"/>, which
/// no provider owns.
/// </summary>
internal static class EncryptedReasoningTag
{
    public static ReadOnlySpan<byte> Marker => "mgr1."u8;

    /// <summary>The content of reasoning items rendered from a chat upstream: nothing any provider can read.</summary>
    public const string Translated = "mgr1.translated.";

    private static ReadOnlySpan<byte> Property => "\"encrypted_content\""u8;

    /// <summary>The provider's tag, e.g. <c>mgr1.5f3a9c01.</c>.</summary>
    public static byte[] Of(ProviderConfig provider)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(provider.Id));
        return Encoding.ASCII.GetBytes($"mgr1.{Convert.ToHexStringLower(hash, 0, 4)}.");
    }

    /// <summary>Whether <paramref name="json"/> has an <c>encrypted_content</c> property anywhere (one search).</summary>
    public static bool Mentions(ReadOnlySpan<byte> json) => json.IndexOf(Property) >= 0;

    /// <summary>
    /// Copies <paramref name="json"/> (a JSON document, or server-sent events of them) into <paramref name="output"/>
    /// with <paramref name="tag"/> inserted at the start of every <c>encrypted_content</c> string value.
    /// </summary>
    public static void Insert(ReadOnlySpan<byte> json, ReadOnlySpan<byte> tag, IBufferWriter<byte> output)
    {
        while (ValueStart(json) is var start and >= 0)
        {
            output.Write(json[..start]);
            output.Write(tag);
            json = json[start..];
        }

        output.Write(json);
    }

    /// <summary>Where the first <c>encrypted_content</c> string value's text begins (after its quote), or -1.</summary>
    private static int ValueStart(ReadOnlySpan<byte> json)
    {
        var offset = 0;
        while (json[offset..].IndexOf(Property) is var found and >= 0)
        {
            var at = offset + found;
            offset = at + Property.Length;

            // An escaped quote before it: the text is inside another string, not a property name.
            if (at > 0 && json[at - 1] == (byte)'\\')
            {
                continue;
            }

            var rest = json[offset..].TrimStart(" \t\r\n"u8);
            if (rest.Length > 0 && rest[0] == (byte)':')
            {
                rest = rest[1..].TrimStart(" \t\r\n"u8);
                if (rest.Length > 0 && rest[0] == (byte)'"')
                {
                    return json.Length - rest.Length + 1;
                }
            }
        }

        return -1;
    }
}
