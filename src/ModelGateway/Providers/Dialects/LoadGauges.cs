namespace ModelGateway.Providers.Dialects;

/// <summary>
/// Where a self-hosted inference server publishes its load, in Prometheus text format: the path (from the server
/// root, not under <c>/v1</c>) and the gauge names for requests running, requests queued and KV-cache use (0..1).
/// </summary>
internal sealed record LoadGauges(string Path, string Running, string Waiting, string KvCacheUsage, string? KvCacheUsageLegacy = null)
{
    public static readonly LoadGauges Vllm = new("/metrics", "vllm:num_requests_running", "vllm:num_requests_waiting", "vllm:kv_cache_usage_perc", "vllm:gpu_cache_usage_perc");

    public static readonly LoadGauges Sglang = new("/metrics", "sglang:num_running_reqs", "sglang:num_queue_reqs", "sglang:token_usage");

    public static readonly LoadGauges LlamaCpp = new("/metrics", "llamacpp:requests_processing", "llamacpp:requests_deferred", "llamacpp:kv_cache_usage_ratio");
}
