using ModelGateway.Tests.Infrastructure;

namespace ModelGateway.Tests.Deploy;

/// <summary>Every shipped example configuration passes the gateway's own strict <c>validate</c> command.</summary>
public sealed class ExampleConfigTests
{
    // The credentials the examples refer to; validate resolves them, so they must be set (to anything).
    private static readonly Dictionary<string, string> Credentials = new(StringComparer.Ordinal)
    {
        ["TOGETHER_API_KEY"] = "example",
        ["DEEPSEEK_API_KEY"] = "example",
        ["OPENAI_API_KEY"] = "example",
        ["ANTHROPIC_API_KEY"] = "example",
    };

    public static TheoryData<string> Examples() => new(ExampleFiles());

    [Fact]
    public void The_open_weight_first_example_is_shipped() => Assert.Contains("open-weight-first.json", ExampleFiles());

    private static string[] ExampleFiles() =>
        [.. Directory.EnumerateFiles(RepositoryFiles.PathOf("deploy", "examples"), "*.json").Select(Path.GetFileName).Order(StringComparer.Ordinal)!];

    [Theory]
    [MemberData(nameof(Examples))]
    public async Task Example_passes_validate(string file)
    {
        var (exitCode, output, error) = await Infrastructure.GatewayProcess.RunAsync(Credentials, "validate", RepositoryFiles.PathOf("deploy", "examples", file));

        Assert.True(exitCode == 0, error);
        Assert.Equal("configuration is valid", output.Trim());
    }

    [Fact]
    public async Task Validate_would_catch_a_typo_in_the_example()
    {
        // Proof that the test above can fail: the same file with one misspelt capacity field is refused.
        var text = await File.ReadAllTextAsync(RepositoryFiles.PathOf("deploy", "examples", "open-weight-first.json"));
        var broken = Path.Combine(Path.GetTempPath(), $"open-weight-first-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(broken, text.Replace("\"MaxWaiting\"", "\"MaxWaitng\"", StringComparison.Ordinal));
        try
        {
            var (exitCode, _, error) = await Infrastructure.GatewayProcess.RunAsync(Credentials, "validate", broken);
            Assert.NotEqual(0, exitCode);
            Assert.Contains("MaxWaitng", error, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(broken);
        }
    }
}
