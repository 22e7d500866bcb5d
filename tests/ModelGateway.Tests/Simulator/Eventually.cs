namespace ModelGateway.Tests.Simulator;

/// <summary>Waits for a condition another thread makes true, without a fixed sleep.</summary>
internal static class Eventually
{
    public static async Task TrueAsync(Func<bool> condition, int timeoutMs = 10_000)
    {
        var deadline = Environment.TickCount64 + timeoutMs;
        while (!condition())
        {
            Assert.True(Environment.TickCount64 < deadline, $"Condition not met within {timeoutMs} ms.");
            await Task.Delay(10);
        }
    }
}
