namespace ModelGateway.Accounting;

/// <summary>
/// Writes one request's ledger entry and spend increments at most once: a marker per request id (kept for
/// <c>ARGV[1]</c> ms) is set in the same atomic step, so a batch that is retried after a partial write, or run by
/// Redis after the gateway gave up waiting, counts each request once.
/// </summary>
internal static class UsageLedgerScript
{
    // KEYS: marker, stream, spend hash. ARGV: marker ms, nano-USD, spend field count k, k spend fields, then the
    // stream entry's field/value pairs. Returns 1 when written, 0 when the request was already recorded.
    public const string Record = """
        if not redis.call('SET', KEYS[1], '1', 'NX', 'PX', ARGV[1]) then return 0 end
        local k = tonumber(ARGV[3])
        redis.call('XADD', KEYS[2], '*', unpack(ARGV, 4 + k))
        for i = 4, 3 + k do redis.call('HINCRBY', KEYS[3], ARGV[i], ARGV[2]) end
        return 1
        """;
}
