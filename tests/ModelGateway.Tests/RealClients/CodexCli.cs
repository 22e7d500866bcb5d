namespace ModelGateway.Tests.RealClients;

/// <summary>
/// Runs <c>codex exec</c> (npm <c>@openai/codex</c>) against any OpenAI Responses endpoint: a custom model provider
/// (<c>wire_api = "responses"</c>, key from an environment variable) set with <c>-c</c> overrides, a throwaway
/// CODEX_HOME and working directory, approvals and sandbox off so it runs the model's shell command.
/// Point <see cref="RunAsync"/> at the simulator or at the gateway alike.
/// </summary>
public static class CodexCli
{
    public const string KeyVariable = "MG_CODEX_KEY";

    /// <param name="baseUrl">The provider base URL including <c>/v1</c>, e.g. <c>http://127.0.0.1:5000/v1</c>.</param>
    /// <param name="apiKey">Sent as <c>Authorization: Bearer</c>.</param>
    /// <param name="model">The model Codex asks for.</param>
    /// <param name="prompt">The user's prompt.</param>
    /// <param name="timeout">Kill the run after this long (default two minutes).</param>
    public static async Task<CliRun> RunAsync(string baseUrl, string apiKey, string model, string prompt, TimeSpan? timeout = null)
    {
        var codex = await ClientsPackage.BinAsync("codex");
        var root = System.IO.Directory.CreateTempSubdirectory("mg-codex-");
        try
        {
            var home = root.CreateSubdirectory("home");
            var work = root.CreateSubdirectory("work");
            string[] arguments =
            [
                "exec",
                "--skip-git-repo-check",
                "--dangerously-bypass-approvals-and-sandbox",
                "--color", "never",
                "-m", model,
                "-c", "model_provider=\"mg\"",
                "-c", "model_providers.mg.name=\"ModelGateway test provider\"",
                "-c", $"model_providers.mg.base_url=\"{baseUrl}\"",
                "-c", $"model_providers.mg.env_key=\"{KeyVariable}\"",
                "-c", "model_providers.mg.wire_api=\"responses\"",
                "-c", "model_providers.mg.request_max_retries=0",
                "-c", "model_providers.mg.stream_max_retries=0",
                "-c", "analytics.enabled=false",
                prompt,
            ];
            var environment = new Dictionary<string, string>
            {
                ["CODEX_HOME"] = home.FullName,
                [KeyVariable] = apiKey,
                ["NO_COLOR"] = "1",
            };
            return await CliProcess.RunAsync(codex, arguments, work.FullName, environment, timeout ?? TimeSpan.FromMinutes(2));
        }
        finally
        {
            root.Delete(recursive: true);
        }
    }
}
