using System.Text.Json.Nodes;
using ModelGateway.Tests.Infrastructure;
using YamlDotNet.Serialization;

namespace ModelGateway.Tests.Deploy;

/// <summary>Reads a YAML file of the repository as a JSON tree (scalars as strings).</summary>
public static class YamlFiles
{
    public static JsonNode Read(params string[] path)
    {
        using var reader = new StreamReader(RepositoryFiles.PathOf(path));
        return ToJson(new DeserializerBuilder().Build().Deserialize<object>(reader))!;
    }

    private static JsonNode? ToJson(object? value) => value switch
    {
        null => null,
        IDictionary<object, object> map => new JsonObject(map.Select(p => KeyValuePair.Create((string)p.Key, ToJson(p.Value)))),
        IList<object> list => new JsonArray([.. list.Select(ToJson)]),
        _ => JsonValue.Create(value.ToString()),
    };
}
