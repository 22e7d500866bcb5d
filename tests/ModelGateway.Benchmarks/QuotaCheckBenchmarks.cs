using System.Diagnostics;
using System.Text;
using BenchmarkDotNet.Attributes;
using ModelGateway.Quotas;
using StackExchange.Redis;
using ModelGateway.Pipeline;

namespace ModelGateway.Benchmarks;

/// <summary>
/// The quota check on the request path: one reservation (and, off the path, its settlement) against real Redis on
/// loopback and against the in-memory store, with three scopes (key, team, team model) and every limit set; plus
/// the prompt estimate. Redis: <c>MG_BENCH_REDIS</c> (host:port), or a redis-server started on port 6392.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class QuotaCheckBenchmarks
{
    private static readonly QuotaScope[] Scopes =
    [
        new("key:bench", new QuotaLimits(int.MaxValue, long.MaxValue, int.MaxValue, long.MaxValue, long.MaxValue)),
        new("team:bench", new QuotaLimits(int.MaxValue, long.MaxValue, int.MaxValue, long.MaxValue, long.MaxValue)),
        new("team:bench:model:qwen3", new QuotaLimits(int.MaxValue, long.MaxValue, int.MaxValue, long.MaxValue, long.MaxValue)),
    ];

    private Process? _redisProcess;
    private ConnectionMultiplexer _redis = null!;
    private RedisQuotaStore _redisStore = null!;
    private InMemoryQuotaStore _memoryStore = null!;
    private byte[] _body = [];
    private long _next;

    [GlobalSetup]
    public void Setup()
    {
        var address = Environment.GetEnvironmentVariable("MG_BENCH_REDIS");
        if (string.IsNullOrEmpty(address))
        {
            _redisProcess = Process.Start(new ProcessStartInfo("redis-server", "--port 6392 --bind 127.0.0.1 --save \"\" --appendonly no") { RedirectStandardOutput = true });
            Thread.Sleep(500);
            address = "127.0.0.1:6392";
        }

        _redis = ConnectionMultiplexer.Connect(address);
        _redisStore = new RedisQuotaStore(_redis, "bench:", TimeSpan.FromSeconds(1), TimeProvider.System);
        _memoryStore = new InMemoryQuotaStore();
        var prompt = string.Concat(Enumerable.Repeat("The quick brown fox jumps over the lazy dog. ", 90));
        _body = Encoding.UTF8.GetBytes(
            "{\"model\":\"qwen3\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"" + prompt + "\"}],\"max_tokens\":256}");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _redis.Dispose();
        if (_redisProcess is not null)
        {
            _redisProcess.Kill();
            _redisProcess.Dispose();
        }
    }

    [Benchmark]
    public async Task<bool> RedisReserve() => (await _redisStore.ReserveAsync(Ask(), default)).Admitted;

    [Benchmark]
    public async Task RedisReserveAndSettle()
    {
        var ask = Ask();
        var decision = await _redisStore.ReserveAsync(ask, default);
        await _redisStore.SettleAsync(ask, decision, 300, 1000, default);
    }

    [Benchmark]
    public async Task MemoryReserveAndSettle()
    {
        var ask = Ask();
        var decision = await _memoryStore.ReserveAsync(ask, default);
        await _memoryStore.SettleAsync(ask, decision, 300, 1000, default);
    }

    [Benchmark]
    public int EstimatePromptWithTokenizer() => PromptTokenEstimator.Estimate(_body, useTokenizer: true);

    [Benchmark]
    public int EstimatePromptFromBytes() => PromptTokenEstimator.Estimate(_body, useTokenizer: false);

    private QuotaAsk Ask() => new()
    {
        ReservationId = "b" + Interlocked.Increment(ref _next),
        NowMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
        Group = "team:bench",
        Scopes = Scopes,
        Tokens = 400,
        NanoUsd = 2000,
        WindowMs = 60_000,
        HoldMs = 600_000,
        Day = "20250615",
        Month = "202506",
    };
}
