using ModelGateway.Capture;
using ModelGateway.Sensitivity;

namespace ModelGateway.Tests.Capture;

/// <summary>Redaction with the built-in detectors: what is replaced, what is left, and that nothing detectable survives.</summary>
public sealed class RedactorTests
{
    private static readonly DetectorSet Detectors = new(SensitivityPolicy.Default);

    [Theory]
    [InlineData("Please charge my card 4111 1111 1111 1111 for the order.", "Please charge my card [REDACTED:payment_card] for the order.")]
    [InlineData("card:4111-1111-1111-1111.", "[REDACTED:payment_card]")]
    [InlineData("mail jane.doe@example.com or bob@example.org today", "mail [REDACTED:email] or [REDACTED:email] today")]
    [InlineData("IBAN DE89 3704 0044 0532 0130 00 please", "IBAN [REDACTED:iban] please")]
    [InlineData("ssn 123-45-6789", "ssn [REDACTED:us_ssn]")]
    [InlineData("curl -H 'Authorization: Bearer abcdefghijklmnopqrstuvwxyz0123' x", "curl -H 'Authorization: [REDACTED:bearer_token] x")]
    [InlineData("nothing to see here", "nothing to see here")]
    public void Matches_are_replaced_and_the_rest_kept(string text, string expected)
    {
        var count = 0;
        var redacted = Redactor.Redact(text, Detectors, ref count);

        Assert.Equal(expected, redacted);
        Assert.Equal(0ul, Detectors.Run(System.Text.Encoding.UTF8.GetBytes(redacted), 0));
        Assert.Equal(expected == text ? 0 : expected.Split("[REDACTED").Length - 1, count);
    }

    [Fact]
    public void A_private_key_goes_with_its_whole_block()
    {
        var count = 0;
        var redacted = Redactor.Redact(
            "Deploy with:\n-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\nc2VjcmV0\n-----END OPENSSH PRIVATE KEY-----\nthen restart.", Detectors, ref count);

        Assert.Equal("Deploy with:\n[REDACTED:private_key]\nthen restart.", redacted);
        Assert.DoesNotContain("b3Bl", redacted, StringComparison.Ordinal);
    }
}
