namespace ModelGateway.Sensitivity.Detectors;

/// <summary>
/// A PEM or OpenSSH private key block header: <c>-----BEGIN [RSA |EC |OPENSSH |ENCRYPTED |PGP ]PRIVATE KEY[ BLOCK]-----</c>.
/// Public keys and certificates do not count.
/// </summary>
internal sealed class PrivateKeyDetector : ContentDetector
{
    private const int MaxLabelLength = 40;

    public PrivateKeyDetector()
        : base("private_key")
    {
    }

    public override bool IsMatch(ReadOnlySpan<byte> utf8)
    {
        var offset = 0;
        while (offset < utf8.Length)
        {
            var found = utf8[offset..].IndexOf("-----BEGIN "u8);
            if (found < 0)
            {
                return false;
            }

            var labelStart = offset + found + 11;
            var label = utf8[labelStart..];
            var end = label.IndexOf("-----"u8);
            if (end > 0 && end <= MaxLabelLength && label[..end].IndexOf("PRIVATE KEY"u8) >= 0)
            {
                return true;
            }

            offset = labelStart;
        }

        return false;
    }
}
