using System.Text;
using ModelGateway.Providers;

namespace ModelGateway.Tests.Providers;

/// <summary>The check that a 2xx body is one JSON object, whole or fed in blocks split anywhere.</summary>
public sealed class ResponseJsonValidatorTests
{
    [Theory]
    [InlineData("""{"id":"x","choices":[{"message":{"content":"a \"quoted\" word"}}],"usage":{"prompt_tokens":1}}""", true)]
    [InlineData(" \r\n{}\n ", true)]
    [InlineData("""{"id":"x","choices":[""", false)]
    [InlineData("<html><body>502 Bad Gateway</body></html>", false)]
    [InlineData("null", false)]
    [InlineData("[]", false)]
    [InlineData("42", false)]
    [InlineData("", false)]
    [InlineData("{} {}", false)]
    [InlineData("{}x", false)]
    public void Accepts_exactly_one_json_object(string body, bool valid)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        Assert.Equal(valid, ResponseJsonValidator.IsJsonObject(bytes));

        // Every split into two blocks gives the same answer.
        for (var split = 0; split <= bytes.Length; split++)
        {
            using var validator = new ResponseJsonValidator();
            var first = validator.Feed(bytes.AsSpan(0, split), isFinal: false);
            var whole = first && validator.Feed(bytes.AsSpan(split), isFinal: true);
            Assert.True(valid == whole, $"split at {split}");
        }
    }

    [Fact]
    public void Random_bytes_are_not_json()
    {
        var bytes = new byte[512];
        for (var i = 0; i < bytes.Length; i++)
        {
            bytes[i] = (byte)((i * 151) + 0xFF);
        }

        Assert.False(ResponseJsonValidator.IsJsonObject(bytes));
    }
}
