using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Xunit.Abstractions;

namespace ModelGateway.Tests.Sensitivity;

/// <summary>
/// Issue 12's property test: thousands of random and mutated bodies, some holding a known secret at a random place,
/// depth and field name, thrown at chat, embeddings and explain through a real socket. No answer may be a 5xx, the
/// public simulator may never receive a secret, and nothing either simulator receives may be invalid text.
/// The seed is fixed (MG_FUZZ_SEED overrides it; MG_FUZZ_COUNT the count) and printed with any failing body.
/// </summary>
public sealed class SensitivityFuzzTests(ITestOutputHelper output) : TwoTierGateway
{
    private const int DefaultSeed = 120_12;
    private const int DefaultCount = 10_002;
    private const int Concurrency = 8;

    [Fact]
    public async Task Random_and_mutated_bodies_never_cause_a_5xx_or_reach_the_public_deployment_with_a_secret()
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable("MG_FUZZ_SEED"), CultureInfo.InvariantCulture, out var s) ? s : DefaultSeed;
        var count = int.TryParse(Environment.GetEnvironmentVariable("MG_FUZZ_COUNT"), CultureInfo.InvariantCulture, out var c) ? c : DefaultCount;
        output.WriteLine($"seed {seed}, {count} bodies");

        var failures = new ConcurrentQueue<string>();
        var statuses = new ConcurrentDictionary<int, int>();
        var watch = Stopwatch.StartNew();
        using var client = Gateway.HttpClient();
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = Concurrency }, async (index, _) =>
        {
            var fuzz = FuzzBody.Create(seed, index);
            var (status, body, _) = await PostAsync(client, fuzz.Path, fuzz.Bytes);
            statuses.AddOrUpdate(status, 1, (_, n) => n + 1);
            if (status >= 500)
            {
                failures.Enqueue($"index {index}: {fuzz.Path} -> {status} {body}\n  body: {fuzz.Describe()}");
            }
        });
        watch.Stop();
        output.WriteLine($"{count} requests in {watch.Elapsed.TotalSeconds:F1} s; statuses {string.Join(", ", statuses.OrderBy(p => p.Key).Select(p => $"{p.Key}x{p.Value}"))}");

        foreach (var received in Cloud.State.Received)
        {
            if (FuzzBody.FindProblem(received.Body) is { } problem)
            {
                failures.Enqueue($"public simulator received {problem}: {received.Body}");
            }
        }

        foreach (var received in Local.State.Received)
        {
            if (FuzzBody.FindTextProblem(received.Body) is { } problem)
            {
                failures.Enqueue($"self-hosted simulator received {problem}: {received.Body}");
            }
        }

        Assert.True(statuses.Keys.Any(code => code == 200) && statuses.Keys.Any(code => code == 400), "the fuzz must reach both outcomes");
        Assert.True(Cloud.State.Received.Count > 0 && Local.State.Received.Count > 0, "the fuzz must reach both deployments");
        Assert.True(failures.IsEmpty, $"seed {seed}: {failures.Count} failures; first ones:\n" + string.Join("\n", failures.Take(5)));
    }

    [Fact]
    public void The_generator_is_deterministic_and_places_secrets()
    {
        Assert.Equal(FuzzBody.Create(7, 3).Bytes, FuzzBody.Create(7, 3).Bytes);
        var withSecret = Enumerable.Range(0, 300).Select(i => FuzzBody.Create(7, i)).Count(b => b.Secret is not null);
        Assert.InRange(withSecret, 100, 250);
    }

    [Fact]
    public void The_leak_check_sees_secrets_in_any_place_and_escaping()
    {
        Assert.NotNull(FuzzBody.FindProblem("""{"a":[{"b":"pay 4111\u00a01111\u00a01111\u00a01111 now"}]}"""));
        Assert.NotNull(FuzzBody.FindProblem("""{"-----BEGIN RSA PRIVATE KEY-----":1}"""));
        Assert.NotNull(FuzzBody.FindProblem("""{"a":"\ud800"}"""));
        Assert.Null(FuzzBody.FindProblem("""{"a":"4111 1111 1111 111","b":"AKIAIOSFODNN7EXAMPL"}"""));
    }
}
