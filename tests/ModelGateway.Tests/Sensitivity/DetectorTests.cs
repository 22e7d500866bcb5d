using System.Text;
using System.Text.RegularExpressions;
using ModelGateway.Sensitivity.Detectors;

namespace ModelGateway.Tests.Sensitivity;

/// <summary>Each built-in detector against text that must match and look-alikes that must not.</summary>
public sealed class DetectorTests
{
    [Theory]
    [InlineData("write to jane.doe+news@example.co.uk today", true)]
    [InlineData("a@b.io", true)]
    [InlineData("ping @jane on slack", false)]
    [InlineData("user@localhost is not routable", false)]
    [InlineData("version 1.2@3.4", false)]
    [InlineData("x@y.z", false)]
    public void Email(string text, bool expected) => Check(new EmailDetector(), text, expected);

    [Theory]
    [InlineData("call +44 20 7946 0958 now", true)]
    [InlineData("call (555) 123-4567", true)]
    [InlineData("call 555-123-4567", true)]
    [InlineData("+1-202-555-0143", true)]
    [InlineData("order 20240115093000 shipped", false)]
    [InlineData("on 2024-01-15 at 10:30", false)]
    [InlineData("card 4111 1111 1111 1111", false)]
    [InlineData("ip 192.168.100.200", false)]
    [InlineData("total 1,234,567.89", false)]
    public void Phone(string text, bool expected) => Check(new PhoneDetector(), text, expected);

    [Theory]
    [InlineData("my card is 4111 1111 1111 1111 thanks", true)]
    [InlineData("4111-1111-1111-1111", true)]
    [InlineData("amex 378282246310005", true)]
    [InlineData("{\"pan\":\"5555555555554444\"}", true)]
    [InlineData("order number 1234 5678 9012 3456 (fails Luhn)", false)]
    [InlineData("order 1234567890123456", false)]
    [InlineData("0000 0000 0000 0000", false)]
    [InlineData("id 41111111111111111111111 is too long", false)]
    [InlineData("serial A4111111111111111", false)]
    public void Payment_card(string text, bool expected) => Check(new PaymentCardDetector(), text, expected);

    [Theory]
    [InlineData("card 4111\u00A01111\u00A01111\u00A01111 ok", true)] // no-break space
    [InlineData("card 4111\u202F1111\u202F1111\u202F1111 ok", true)] // narrow no-break space
    [InlineData("card 4111\u20091111\u20091111\u20091111", true)] // thin space
    [InlineData("card 4111\u30001111\u30001111\u30001111", true)] // ideographic space
    [InlineData("card 4111\u200B1111\u200B1111\u200B1111", true)] // zero-width space
    [InlineData("card 4111\u20131111\u20131111\u20131111", true)] // en dash
    [InlineData("card 4111\u22121111\u22121111\u22121111", true)] // minus sign
    [InlineData("card 4111.1111.1111.1111.", true)]
    [InlineData("card 4111/1111/1111/1111", true)]
    [InlineData("card 4111 - 1111 - 1111 - 1111", true)]
    [InlineData("amex 3782.822463.10005", true)]
    [InlineData("\uFF14\uFF11\uFF11\uFF11\u3000\uFF11\uFF11\uFF11\uFF11\u3000\uFF11\uFF11\uFF11\uFF11\u3000\uFF11\uFF11\uFF11\uFF11", true)] // fullwidth digits
    [InlineData("\u5361\u53F74111111111111111\u5143", true)] // CJK text on both sides
    [InlineData("4111111111111111. Thanks", true)]
    [InlineData("call +1 555 123 4567 4111 1111 1111 1111", true)] // other numbers lead into the card
    [InlineData("2024-01-15 4111.1111.1111.1111", true)]
    [InlineData("2024-01-15 4111111111111111 2024-01-15", true)]
    [InlineData("dates 2024/12/31 2025/01/15 2026/03/01", false)]
    [InlineData("dates 31.12.2024 15.01.2025", false)]
    [InlineData("version 10.0.19041.1234567", false)]
    [InlineData("total 1.234.567.890.123.456", false)]
    [InlineData("ip 192.168.100.200 and 10.0.0.1", false)]
    [InlineData("phone +1.555.123.4567", false)]
    [InlineData("years 2023 2024 2025 2026", true)] // passes Luhn by chance: documented, errs toward keeping data in
    [InlineData("4111 1111.1111 1111", false)] // one kind of separator per number (spaces and dashes may mix)
    [InlineData("order 1234\u00A05678\u00A09012\u00A03456 (fails Luhn)", false)]
    [InlineData("serial \uFF21\uFF14\uFF11\uFF11\uFF11\uFF11\uFF11\uFF11\uFF11\uFF11\uFF11\uFF11\uFF11\uFF11\uFF11\uFF11\uFF11", false)]
    public void Payment_card_with_any_common_separator(string escaped, bool expected) =>
        Check(new PaymentCardDetector(), System.Text.RegularExpressions.Regex.Unescape(escaped), expected);

    [Theory]
    [InlineData("IBAN DE89 3704 0044 0532 0130 00 please", true)]
    [InlineData("GB82WEST12345698765432", true)]
    [InlineData("pay to FR1420041010050500013M02606.", true)]
    [InlineData("DE89 3704 0044 0532 0130 01", false)]
    [InlineData("GB00WEST12345698765432", false)]
    [InlineData("AB12 is a code", false)]
    public void Iban(string text, bool expected) => Check(new IbanDetector(), text, expected);

    [Theory]
    [InlineData("SSN 123-45-6789.", true)]
    [InlineData("ssn:078-05-1120", true)]
    [InlineData("000-12-3456", false)]
    [InlineData("666-12-3456", false)]
    [InlineData("912-12-3456", false)]
    [InlineData("123-00-4567", false)]
    [InlineData("123-45-0000", false)]
    [InlineData("phone 555-123-4567", false)]
    [InlineData("2024-01-1234", false)]
    [InlineData("123456789", false)]
    public void Us_ssn(string text, bool expected) => Check(new UsSsnDetector(), text, expected);

    [Theory]
    [InlineData("aws_access_key_id = AKIAIOSFODNN7EXAMPLE", true)]
    [InlineData("ASIAY34FZKBOKMUTVV7A", true)]
    [InlineData("key=AIzaSyA1234567890abcdefghijklmnopqrstuv", true)]
    [InlineData("token ghp_0123456789abcdefghijklmnopqrstuvwxyz", true)]
    [InlineData("xoxb-123456789012-abcdefghij", true)]
    [InlineData("AKIA is a prefix", false)]
    [InlineData("AKIAIOSFODNN7EXAMPLE2 is one too long", false)]
    [InlineData("ghp_short", false)]
    [InlineData("the xox- game", false)]
    public void Cloud_key(string text, bool expected) => Check(new CloudKeyDetector(), text, expected);

    [Theory]
    [InlineData("-----BEGIN RSA PRIVATE KEY-----\nMIIEow...", true)]
    [InlineData("-----BEGIN PRIVATE KEY-----", true)]
    [InlineData("-----BEGIN OPENSSH PRIVATE KEY-----", true)]
    [InlineData("-----BEGIN PGP PRIVATE KEY BLOCK-----", true)]
    [InlineData("-----BEGIN PUBLIC KEY-----", false)]
    [InlineData("-----BEGIN CERTIFICATE-----", false)]
    [InlineData("a private key is secret", false)]
    public void Private_key(string text, bool expected) => Check(new PrivateKeyDetector(), text, expected);

    [Theory]
    [InlineData("Authorization: Bearer sk_live_0123456789abcdefghij", true)]
    [InlineData("bearer abcdefghij0123456789ABCDEF==", true)]
    [InlineData("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.sig", true)]
    [InlineData("bearer tokens are used for authentication", false)]
    [InlineData("Bearer short", false)]
    [InlineData("eyJ is how JSON starts in base64", false)]
    public void Bearer_token(string text, bool expected) => Check(new BearerTokenDetector(), text, expected);

    [Theory]
    [InlineData("employee EMP-123456 asked", true)]
    [InlineData("EMP-12345 is too short", false)]
    public void Custom_pattern(string text, bool expected) =>
        Check(new PatternDetector("employee_id", new Regex(@"\bEMP-[0-9]{6}\b", RegexOptions.NonBacktracking, TimeSpan.FromSeconds(1))), text, expected);

    [Fact]
    public void Long_text_with_the_secret_at_the_end_is_found()
    {
        var text = string.Concat(Enumerable.Repeat("Lorem ipsum dolor sit amet 12 34. ", 300)) + " 4111 1111 1111 1111";
        Check(new PaymentCardDetector(), text, true);
        Check(new EmailDetector(), text, false);
    }

    private static void Check(ContentDetector detector, string text, bool expected) =>
        Assert.True(expected == detector.IsMatch(Encoding.UTF8.GetBytes(text)), $"{detector.Name} on '{text}' should be {expected}");
}
