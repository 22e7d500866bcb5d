namespace ModelGateway.Tests.RealClients;

/// <summary>
/// Runs Claude Code (npm <c>@anthropic-ai/claude-code</c>) in print mode, <c>claude -p PROMPT --output-format json</c>,
/// against any Anthropic Messages endpoint (<c>ANTHROPIC_BASE_URL</c>), with a throwaway HOME and working directory,
/// non-essential traffic off and the Bash tool allowed without asking (<c>--dangerously-skip-permissions</c> is
/// refused as root). Point <see cref="RunAsync"/> at the simulator or at the gateway alike.
/// </summary>
public static class ClaudeCodeCli
{
    /// <param name="baseUrl">The server root without <c>/v1</c>, e.g. <c>http://127.0.0.1:5000</c>.</param>
    /// <param name="apiKey">The key: <c>x-api-key</c> (ANTHROPIC_API_KEY), or <c>Authorization: Bearer</c> with <paramref name="bearer"/>.</param>
    /// <param name="prompt">The user's prompt.</param>
    /// <param name="model">The model id it asks for; null for Claude Code's default.</param>
    /// <param name="bearer">Send the key as ANTHROPIC_AUTH_TOKEN (a bearer token) instead.</param>
    /// <param name="timeout">Kill the run after this long (default two minutes).</param>
    public static async Task<CliRun> RunAsync(
        string baseUrl, string apiKey, string prompt, string? model = null, bool bearer = false, TimeSpan? timeout = null)
    {
        var claude = await ClientsPackage.BinAsync("claude");
        var root = System.IO.Directory.CreateTempSubdirectory("mg-claude-");
        try
        {
            var home = root.CreateSubdirectory("home");
            var work = root.CreateSubdirectory("work");
            var arguments = new List<string> { "-p", prompt, "--output-format", "json", "--allowedTools", "Bash" };
            if (model is not null)
            {
                arguments.AddRange(["--model", model]);
            }

            var environment = new Dictionary<string, string>
            {
                ["HOME"] = home.FullName,
                ["XDG_CONFIG_HOME"] = Path.Combine(home.FullName, ".config"),
                ["ANTHROPIC_BASE_URL"] = baseUrl,
                [bearer ? "ANTHROPIC_AUTH_TOKEN" : "ANTHROPIC_API_KEY"] = apiKey,
                ["CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC"] = "1",
                ["DISABLE_AUTOUPDATER"] = "1",
                ["DISABLE_TELEMETRY"] = "1",
                ["DISABLE_ERROR_REPORTING"] = "1",
                ["NO_COLOR"] = "1",
            };
            return await CliProcess.RunAsync(claude, arguments, work.FullName, environment, timeout ?? TimeSpan.FromMinutes(2));
        }
        finally
        {
            root.Delete(recursive: true);
        }
    }
}
