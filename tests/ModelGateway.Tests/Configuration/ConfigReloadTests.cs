using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ModelGateway.Configuration;
using ModelGateway.Tests.Infrastructure;

namespace ModelGateway.Tests.Configuration;

/// <summary>Edits to the configuration file take effect while running; a bad edit keeps the last good configuration.</summary>
public sealed class ConfigReloadTests
{
    [Fact]
    public async Task A_valid_edit_becomes_the_next_snapshot_and_an_invalid_one_is_ignored()
    {
        var config = TestConfig.Gateway()
            .WithProvider("local", "http://127.0.0.1:9/v1")
            .WithDeployment("a", "local", ["model-a"]);
        var logs = new LogCapture();
        await using var gateway = await GatewayHost.StartAsync(config, builder => builder.Services.AddSingleton<ILoggerProvider>(logs));
        var store = gateway.Service<IGatewayConfigStore>();
        Assert.Equal(1, store.Current.Version);

        config.WithDeployment("b", "local", ["model-b"]);
        await RewriteAndWaitAsync(gateway, store, config);

        Assert.Equal(2, store.Current.Version);
        Assert.Equal(["model-a", "model-b"], store.Current.ModelIds.ToArray());

        // A deployment naming a missing provider is refused; the running configuration does not change.
        config.WithDeployment("broken", "no-such-provider", ["model-c"]);
        await WriteAsync(gateway, config);
        // The file watcher may also catch the file half-written (truncated, then filled): that read is rejected and
        // logged too, as a broken file, so wait for the rejection of the complete edit.
        var rejection = await WaitForAsync(() => logs.Entries.FirstOrDefault(e => e.EventId == 101 && e.Message.Contains("Deployments:broken", StringComparison.Ordinal)));
        Assert.Contains("Deployments:broken:Provider 'no-such-provider'", rejection.Message, StringComparison.Ordinal);
        Assert.Equal(2, store.Current.Version);

        config["Deployments"]!.AsObject().Remove("broken");
        config.WithDeployment("c", "local", ["model-c"]);
        await RewriteAndWaitAsync(gateway, store, config);

        Assert.Equal(3, store.Current.Version);
        Assert.Equal(["model-a", "model-b", "model-c"], store.Current.ModelIds.ToArray());
    }

    private static async Task RewriteAndWaitAsync(GatewayHost gateway, IGatewayConfigStore store, JsonObject config)
    {
        var changed = new TaskCompletionSource();
        using var registration = store.GetChangeToken().RegisterChangeCallback(_ => changed.TrySetResult(), null);
        await WriteAsync(gateway, config);
        await changed.Task.WaitAsync(TimeSpan.FromSeconds(10));
    }

    private static async Task<T> WaitForAsync<T>(Func<T?> probe)
        where T : class
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (DateTime.UtcNow < deadline)
        {
            if (probe() is { } found)
            {
                return found;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException("The expected log entry did not appear within 10 seconds.");
    }

    private static Task WriteAsync(GatewayHost gateway, JsonObject config) =>
        File.WriteAllTextAsync(gateway.ConfigPath, new JsonObject { ["ModelGateway"] = config.DeepClone() }.ToJsonString());
}
