using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ModelGateway.Tests.Infrastructure;

namespace ModelGateway.Tests.Deploy;

/// <summary>The chart's manifests as <c>helm template</c> renders them, parsed by kubectl (offline) into JSON objects.</summary>
public sealed class RenderedChart
{
    private RenderedChart(List<JsonObject> objects) => Objects = objects;

    public static string ChartPath => RepositoryFiles.PathOf("deploy", "helm", "modelgateway");

    public IReadOnlyList<JsonObject> Objects { get; }

    public JsonObject Deployment => Only("Deployment");

    public JsonObject Container => Deployment["spec"]!["template"]!["spec"]!["containers"]!.AsArray().Single()!.AsObject();

    public JsonArray Env => Container["env"]!.AsArray();

    /// <summary>The gateway.json of the rendered ConfigMap.</summary>
    public JsonObject GatewayConfig => JsonNode.Parse(Only("ConfigMap")["data"]!["gateway.json"]!.GetValue<string>())!.AsObject();

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, Lazy<Task<RenderedChart>>> Rendered = new(StringComparer.Ordinal);

    /// <summary>Renders with the chart defaults, or with a values file relative to the chart (once per test run; read-only use).</summary>
    public static Task<RenderedChart> RenderAsync(string? valuesFile) =>
        Rendered.GetOrAdd(valuesFile ?? "", _ => new Lazy<Task<RenderedChart>>(() => RenderNowAsync(valuesFile))).Value;

    private static async Task<RenderedChart> RenderNowAsync(string? valuesFile)
    {
        var helm = await DeployTools.HelmAsync();
        string[] arguments = valuesFile is null ? ["template", "mg", ChartPath] : ["template", "mg", ChartPath, "-f", Path.Combine(ChartPath, valuesFile)];
        var yaml = await DeployTools.RunAsync(helm, arguments);
        var file = Path.Combine(Path.GetTempPath(), $"mg-chart-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(file, yaml);
        try
        {
            // kubectl parses every document as a Kubernetes object (kind, apiVersion, metadata) and prints it as JSON.
            var json = await DeployTools.RunAsync(await DeployTools.KubectlAsync(), "label", "--local", "-f", file, "modelgateway.test/parsed=true", "-o", "json");
            return new RenderedChart(ReadConcatenatedJson(json));
        }
        finally
        {
            File.Delete(file);
        }
    }

    public JsonObject Only(string kind) => Objects.Single(o => (string?)o["kind"] == kind);

    public JsonObject? Find(string kind) => Objects.SingleOrDefault(o => (string?)o["kind"] == kind);

    /// <summary>The plain value of an environment variable of the gateway container (null when absent or from a Secret).</summary>
    public string? EnvValue(string name) => (string?)Env.SingleOrDefault(e => (string?)e!["name"] == name)?["value"];

    private static List<JsonObject> ReadConcatenatedJson(string text)
    {
        var objects = new List<JsonObject>();
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(text), new JsonReaderOptions { AllowMultipleValues = true });
        while (reader.Read())
        {
            var node = JsonNode.Parse(ref reader)!.AsObject();
            if ((string?)node["kind"] == "List")
            {
                objects.AddRange(node["items"]!.AsArray().Select(i => i!.AsObject()));
            }
            else
            {
                objects.Add(node);
            }
        }

        return objects;
    }
}
