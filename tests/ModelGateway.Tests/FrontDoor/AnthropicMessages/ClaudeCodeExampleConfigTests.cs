using ModelGateway.Tests.Infrastructure;

namespace ModelGateway.Tests.FrontDoor.AnthropicMessages;

/// <summary>The README's "Claude Code through the gateway" configuration is accepted by the strict loader, and is the file it names.</summary>
public sealed class ClaudeCodeExampleConfigTests
{
    [Fact]
    public async Task The_readme_claude_code_configuration_validates_and_matches_the_shipped_file()
    {
        var file = RepositoryFiles.PathOf("deploy", "examples", "claude-code.json");

        var (exitCode, output, error) = await GatewayProcess.RunAsync(new Dictionary<string, string> { ["ANTHROPIC_API_KEY"] = "sk-ant-example" }, "validate", file);

        Assert.True(exitCode == 0, error + output);
        Assert.Equal("configuration is valid", output.Trim());
        var readme = await File.ReadAllTextAsync(RepositoryFiles.PathOf("README.md"));
        Assert.Contains((await File.ReadAllTextAsync(file)).TrimEnd(), readme, StringComparison.Ordinal);
    }
}
