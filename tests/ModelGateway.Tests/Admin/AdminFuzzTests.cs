using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using ModelGateway.Tests.Infrastructure;
using Xunit.Abstractions;

namespace ModelGateway.Tests.Admin;

/// <summary>
/// Random and mutated bodies at every admin write endpoint through a real socket (issue 12): never a 5xx, every
/// error is problem details, and no response carries the provider's key or the Redis password. Seeded: set
/// MG_FUZZ_SEED to replay; a failure prints the seed, the case number and the body.
/// </summary>
public sealed class AdminFuzzTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Cases = 3000;
    private const string Password = "Fuzz-redis-pw-5b8e";
    private const string ProviderKey = "sk-admin-sim";
    private RedisServer _redis = null!;
    private SimulatorHost _simulator = null!;
    private GatewayHost _gateway = null!;
    private string _store = null!;

    public async Task InitializeAsync()
    {
        Environment.SetEnvironmentVariable(AdminFixture.ProviderKeyVariable, ProviderKey);
        _redis = await RedisServer.StartAsync();
        await _redis.RequirePasswordAsync(Password);
        _simulator = await SimulatorHost.StartAsync(o => o.Name = "sim");
        _store = Directory.CreateTempSubdirectory("mg-admin-store-").FullName;
        var config = AdminFixture.BaseConfig(_simulator.BaseUrl);
        config["Quotas"] = new JsonObject { ["Redis"] = $"{_redis.Address},password={Password}", ["KeyPrefix"] = RedisServer.NewPrefix() };
        _gateway = await AdminFixture.StartGatewayAsync(config, _store, "--Admin:Store=file");
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _simulator.DisposeAsync();
        await _redis.DisposeAsync();
        Directory.Delete(_store, recursive: true);
    }

    [Fact]
    public async Task Thousands_of_random_and_mutated_admin_bodies_never_fail_the_server_or_leak_a_secret()
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable("MG_FUZZ_SEED"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var fixedSeed)
            ? fixedSeed
            : Environment.TickCount;
        output.WriteLine($"seed {seed} (MG_FUZZ_SEED={seed} replays it)");
        var random = new Random(seed);
        using var admin = AdminFixture.AdminClient(_gateway);
        var exported = (await AdminFixture.GetAsync(admin, "/admin/v1/config"))["document"]!.AsObject();
        var targets = Targets(_simulator.BaseUrl, exported);
        var statuses = new SortedDictionary<int, int>();
        var failures = new List<string>();
        var elapsed = Stopwatch.StartNew();
        for (var i = 0; i < Cases; i++)
        {
            var (method, path, template) = targets[random.Next(targets.Length)];
            var body = Mutate(template, random);
            using var request = new HttpRequestMessage(method, path) { Content = new ByteArrayContent(body) };
            request.Content.Headers.ContentType = new("application/json");
            using var response = await admin.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            var status = (int)response.StatusCode;
            statuses[status] = statuses.GetValueOrDefault(status) + 1;
            var problem = Check(status, response.Content.Headers.ContentType?.MediaType, text);
            if (problem is not null && failures.Count < 10)
            {
                failures.Add($"seed {seed}, case {i}: {method} {path} -> {status}: {problem}\nbody: {Printable(body)}\nresponse: {text[..Math.Min(text.Length, 2000)]}");
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n\n", failures));

        output.WriteLine($"{Cases} cases in {elapsed.Elapsed.TotalSeconds:F1} s; statuses: {string.Join(", ", statuses.Select(s => $"{s.Key}x{s.Value}"))}");
    }

    private static string? Check(int status, string? mediaType, string text)
    {
        if (status >= 500)
        {
            return "a server error";
        }

        if (text.Contains(ProviderKey, StringComparison.Ordinal) || text.Contains(Password, StringComparison.Ordinal))
        {
            return "a secret in the response";
        }

        if (status < 400)
        {
            return null;
        }

        if (mediaType != "application/problem+json")
        {
            return $"an error as {mediaType}, not problem details";
        }

        try
        {
            return JsonNode.Parse(text) is JsonObject problem && problem["status"]?.GetValue<int>() == status && problem["title"] is not null
                ? null
                : "problem details without status or title";
        }
        catch (System.Text.Json.JsonException)
        {
            return "an error body that is not JSON";
        }
    }

    private static (HttpMethod Method, string Path, JsonNode Template)[] Targets(string simulatorUrl, JsonObject exported)
    {
        var provider = new JsonObject
        {
            ["kind"] = "openai", ["baseUrl"] = simulatorUrl + "/v1", ["trust"] = "self-hosted", ["region"] = "eu",
            ["credential"] = "env:" + AdminFixture.ProviderKeyVariable, ["responseTimeout"] = "00:00:30", ["headers"] = new JsonObject { ["x-a"] = "b" },
        };
        var deployment = new JsonObject
        {
            ["provider"] = "sim", ["models"] = new JsonArray("qwen3"), ["upstreamModel"] = "Qwen/Qwen3-32B", ["contextWindow"] = 32768,
            ["capabilities"] = new JsonArray("chat", "tools"), ["priority"] = 1,
            ["price"] = new JsonObject { ["inputPerMillion"] = 0.5, ["outputPerMillion"] = 1.5 },
        };
        var route = new JsonObject
        {
            ["match"] = new JsonObject { ["models"] = new JsonArray("qwen3"), ["keys"] = new JsonArray(TestConfig.ClientKeyId) },
            ["deployments"] = new JsonArray("qwen-sim"), ["strategy"] = "priority", ["order"] = 5,
        };
        var team = new JsonObject
        {
            ["limits"] = new JsonObject { ["requestsPerMinute"] = 100, ["usdPerDay"] = 5.5 },
            ["models"] = new JsonObject { ["qwen3"] = new JsonObject { ["tokensPerMinute"] = 1000 } },
        };
        var key = new JsonObject { ["allowedModels"] = new JsonArray("qwen3"), ["limits"] = new JsonObject { ["concurrentRequests"] = 2 } };
        var detector = new JsonObject { ["regex"] = "ticket-[0-9]{4}", ["level"] = "confidential" };
        var sensitivity = new JsonObject
        {
            ["levels"] = new JsonObject { ["confidential"] = new JsonObject { ["trust"] = new JsonArray("self-hosted", "contracted") } },
            ["detectors"] = new JsonObject { ["card"] = "restricted" },
        };
        var fallback = new JsonObject { ["maxAttempts"] = 2, ["timeBudget"] = "00:01:00", ["breaker"] = new JsonObject { ["failureRatio"] = 0.5 } };
        var dryRun = new JsonObject
        {
            ["patch"] = new JsonObject { ["aliases"] = new JsonObject { ["fast"] = "qwen3" } },
            ["samples"] = new JsonArray(new JsonObject
            {
                ["key"] = TestConfig.ClientKeyId,
                ["headers"] = new JsonObject { ["x-sensitivity"] = "internal" },
                ["body"] = new JsonObject { ["model"] = "fast", ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "hi" }) },
            }),
        };

        static JsonObject With(JsonObject node, string id)
        {
            var copy = node.DeepClone().AsObject();
            copy["id"] = id;
            return copy;
        }

        return
        [
            (HttpMethod.Post, "/admin/v1/providers", With(provider, "fz-p")),
            (HttpMethod.Put, "/admin/v1/providers/sim", provider),
            (HttpMethod.Patch, "/admin/v1/providers/sim", new JsonObject { ["region"] = "us" }),
            (HttpMethod.Post, "/admin/v1/deployments", With(deployment, "fz-d")),
            (HttpMethod.Put, "/admin/v1/deployments/qwen-sim", deployment),
            (HttpMethod.Patch, "/admin/v1/deployments/qwen-sim", new JsonObject { ["priority"] = 2 }),
            (HttpMethod.Post, "/admin/v1/aliases", new JsonObject { ["id"] = "fz-a", ["target"] = "qwen3" }),
            (HttpMethod.Put, "/admin/v1/aliases/fz-a", new JsonObject { ["target"] = "qwen3" }),
            (HttpMethod.Post, "/admin/v1/routes", With(route, "fz-r")),
            (HttpMethod.Patch, "/admin/v1/routes/fz-r", new JsonObject { ["order"] = 7 }),
            (HttpMethod.Post, "/admin/v1/detectors", With(detector, "fz-det")),
            (HttpMethod.Put, "/admin/v1/detectors/fz-det", detector),
            (HttpMethod.Post, "/admin/v1/teams", With(team, "fz-t")),
            (HttpMethod.Patch, "/admin/v1/teams/fz-t", team),
            (HttpMethod.Post, "/admin/v1/keys", With(key, "fz-k")),
            (HttpMethod.Patch, "/admin/v1/keys/" + TestConfig.ClientKeyId, key),
            (HttpMethod.Put, "/admin/v1/sensitivity", sensitivity),
            (HttpMethod.Patch, "/admin/v1/sensitivity", sensitivity),
            (HttpMethod.Put, "/admin/v1/fallback", fallback),
            (HttpMethod.Patch, "/admin/v1/fallback", fallback),
            (HttpMethod.Put, "/admin/v1/config", exported),
            (HttpMethod.Post, "/admin/v1/config/dry-run", dryRun),
            (HttpMethod.Post, "/admin/v1/config/dry-run", new JsonObject { ["document"] = exported.DeepClone(), ["samples"] = dryRun["samples"]!.DeepClone() }),
            (HttpMethod.Post, "/admin/v1/config/versions/1/restore", new JsonObject()),
            (HttpMethod.Post, "/admin/v1/keys/fz-k/rotate", new JsonObject()),
        ];
    }

    /// <summary>One to three mutations of the template, at the JSON level or on the bytes.</summary>
    private static byte[] Mutate(JsonNode template, Random random)
    {
        if (random.Next(12) == 0)
        {
            return Encoding.UTF8.GetBytes(RandomValue(random, 4)?.ToJsonString() ?? "null");
        }

        var node = template.DeepClone();
        var rounds = 1 + random.Next(3);
        byte[]? bytes = null;
        for (var round = 0; round < rounds; round++)
        {
            if (bytes is null && random.Next(3) > 0)
            {
                MutateTree(node, random);
                continue;
            }

            bytes ??= Encoding.UTF8.GetBytes(node.ToJsonString());
            bytes = MutateBytes(bytes, random);
        }

        return bytes ?? Encoding.UTF8.GetBytes(node.ToJsonString());
    }

    private static void MutateTree(JsonNode root, Random random)
    {
        var containers = new List<JsonNode>();
        Collect(root, containers);
        var target = containers[random.Next(containers.Count)];
        switch (target)
        {
            case JsonObject obj when obj.Count > 0 && random.Next(4) > 0:
                var name = obj.ElementAt(random.Next(obj.Count)).Key;
                switch (random.Next(4))
                {
                    case 0:
                        obj.Remove(name);
                        break;
                    default:
                        obj[name] = RandomValue(random, 3);
                        break;
                }

                break;
            case JsonObject obj:
                var field = random.Next(3) switch
                {
                    0 => RandomString(random),
                    1 => "credential",
                    _ => "Unknown" + random.Next(100).ToString(CultureInfo.InvariantCulture),
                };
                obj[field] = RandomValue(random, 3);
                break;
            case JsonArray array when array.Count > 0 && random.Next(2) == 0:
                array[random.Next(array.Count)] = RandomValue(random, 2);
                break;
            case JsonArray array:
                array.Add(RandomValue(random, 2));
                break;
        }
    }

    private static void Collect(JsonNode? node, List<JsonNode> containers)
    {
        switch (node)
        {
            case JsonObject obj:
                containers.Add(obj);
                foreach (var (_, child) in obj)
                {
                    Collect(child, containers);
                }

                break;
            case JsonArray array:
                containers.Add(array);
                foreach (var child in array)
                {
                    Collect(child, containers);
                }

                break;
        }
    }

    private static JsonNode? RandomValue(Random random, int depth)
    {
        switch (random.Next(depth > 0 ? 16 : 12))
        {
            case 0: return null;
            case 1: return random.Next(2) == 0;
            case 2: return random.Next(-1000, 100000);
            case 3: return random.NextDouble() * Math.Pow(10, random.Next(-5, 30));
            case 4: return JsonNode.Parse(random.Next(4) switch { 0 => "1e400", 1 => "-1e400", 2 => "79228162514264337593543950336", _ => "-0.0" });
            case 5: return long.MaxValue;
            case 6: return RandomString(random);
            case 7: return new string('x', random.Next(2) == 0 ? 300 : 200_000);
            case 8: return random.Next(5) switch { 0 => "00:00:30", 1 => "99999.00:00:00", 2 => "-00:00:01", 3 => "10675199.02:48:05.4775807", _ => "P1D" };
            case 9: return random.Next(6) switch
            {
                0 => "env:PATH",
                1 => "file:/etc/passwd",
                2 => "env:" + AdminFixture.ProviderKeyVariable,
                3 => "file:/dev/zero",
                4 => "127.0.0.1:1,password=guess",
                _ => "none",
            };
            case 10: return random.Next(4) switch { 0 => "qwen3", 1 => "qwen-sim", 2 => "sim", _ => TestConfig.ClientKeyId };
            case 11: return JsonNode.Parse(new string('[', 60) + new string(']', 60));
            case 12 or 13:
                var array = new JsonArray();
                for (var i = random.Next(4); i > 0; i--)
                {
                    array.Add(RandomValue(random, depth - 1));
                }

                return array;
            default:
                var obj = new JsonObject();
                for (var i = random.Next(4); i > 0; i--)
                {
                    obj[RandomString(random)] = RandomValue(random, depth - 1);
                }

                return obj;
        }
    }

    private static string RandomString(Random random)
    {
        const string Alphabet = "abcXYZ019 _-.:/\\\"'{}[]é\u00a0\u2028\u0000\n\t😀";
        var builder = new StringBuilder();
        for (var i = random.Next(12); i > 0; i--)
        {
            builder.Append(Alphabet[random.Next(Alphabet.Length)]);
        }

        return builder.ToString();
    }

    private static byte[] MutateBytes(byte[] bytes, Random random)
    {
        var at = bytes.Length == 0 ? 0 : random.Next(bytes.Length);
        byte[] Insert(byte[] inserted) => [.. bytes.AsSpan(0, at), .. inserted, .. bytes.AsSpan(at)];
        var quote = Array.IndexOf(bytes, (byte)'"', at);
        byte[] InString(byte[] inserted) => quote < 0 ? Insert(inserted) : [.. bytes.AsSpan(0, quote + 1), .. inserted, .. bytes.AsSpan(quote + 1)];
        return random.Next(10) switch
        {
            0 => bytes[..at],
            1 => [.. bytes, .. random.Next(4) switch { 0 => " x"u8.ToArray(), 1 => "{}"u8.ToArray(), 2 => "]"u8.ToArray(), _ => " 1"u8.ToArray() }],
            2 => InString([0xFF]),
            3 => InString([0xC0, 0x80]),
            4 => InString([0xED, 0xA0, 0x80]),
            5 => InString(random.Next(2) == 0 ? "\\ud800"u8.ToArray() : "\\udfff\\ud800x"u8.ToArray()),
            6 => Flip(bytes, at, random),
            7 => Insert(Encoding.UTF8.GetBytes(new string('{', 300))),
            8 => Insert(",\"id\":1,\"id\":2"u8.ToArray()),
            _ => random.Next(3) switch { 0 => [], 1 => " "u8.ToArray(), _ => "[1,2]"u8.ToArray() },
        };
    }

    private static byte[] Flip(byte[] bytes, int at, Random random)
    {
        var copy = bytes.ToArray();
        if (copy.Length > 0)
        {
            copy[at] = (byte)random.Next(256);
        }

        return copy;
    }

    private static string Printable(byte[] body)
    {
        var text = Encoding.UTF8.GetString(body);
        return (text.Length > 3000 ? text[..3000] + "..." : text) + $" (base64 of the first 3000 bytes: {Convert.ToBase64String(body.AsSpan(0, Math.Min(body.Length, 3000)))})";
    }
}
