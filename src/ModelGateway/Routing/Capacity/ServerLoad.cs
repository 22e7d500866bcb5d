namespace ModelGateway.Routing.Capacity;

/// <summary>What a server's metrics said at one read: requests running and waiting, and KV-cache use (0..1).</summary>
internal readonly record struct ServerLoad(double Running, double Waiting, double KvCacheUsage, long ReadAtTimestamp);
