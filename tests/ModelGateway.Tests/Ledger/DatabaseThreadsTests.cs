using ModelGateway.Accounting;

namespace ModelGateway.Tests.Ledger;

/// <summary>
/// Blocking database work (SQLite's calls) runs on threads of its own, never on the thread pool that serves requests:
/// on a one-core gateway the pool starts with a single thread, and each blocking write stalled live requests.
/// </summary>
public sealed class DatabaseThreadsTests
{
    [Fact]
    public async Task Work_runs_on_its_own_threads_in_order_and_its_result_comes_back()
    {
        using var threads = new DatabaseThreads("db-test", count: 1);
        var seen = new List<int>();
        var names = new HashSet<string?>();
        var pooled = false;
        var all = Enumerable.Range(0, 50).Select(i => threads.RunAsync(_ =>
        {
            pooled |= Thread.CurrentThread.IsThreadPoolThread;
            names.Add(Thread.CurrentThread.Name);
            Thread.Sleep(1); // Blocks, as a SQLite commit does: harmless here.
            seen.Add(i);
            return Task.FromResult(i * 2);
        }, CancellationToken.None)).ToArray();

        var results = await Task.WhenAll(all);

        Assert.False(pooled);
        Assert.Equal(["db-test 1"], names);
        Assert.Equal(Enumerable.Range(0, 50), seen); // One thread: arrival order.
        Assert.Equal(Enumerable.Range(0, 50).Select(i => i * 2), results);
    }

    [Fact]
    public async Task A_failure_and_a_cancellation_reach_the_caller_and_the_threads_keep_working()
    {
        using var threads = new DatabaseThreads("db-test", count: 2);
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            threads.RunAsync<int>(_ => throw new InvalidOperationException("disk full"), CancellationToken.None));
        Assert.Equal("disk full", failure.Message);

        var faultedTask = await Assert.ThrowsAsync<TimeoutException>(() =>
            threads.RunAsync<int>(_ => Task.FromException<int>(new TimeoutException()), CancellationToken.None));
        Assert.NotNull(faultedTask);

        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        var ran = false;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => threads.RunAsync(_ =>
        {
            ran = true;
            return Task.FromResult(1);
        }, cancelled.Token));
        Assert.False(ran);

        Assert.Equal(7, await threads.RunAsync(_ => Task.FromResult(7), CancellationToken.None));
    }

    [Fact]
    public async Task After_disposal_work_runs_on_the_callers_thread_instead_of_waiting_forever()
    {
        var threads = new DatabaseThreads("db-test", count: 2);
        threads.Dispose();
        var caller = Environment.CurrentManagedThreadId;
        var ranOn = await threads.RunAsync(_ => Task.FromResult(Environment.CurrentManagedThreadId), CancellationToken.None);
        Assert.Equal(caller, ranOn);
    }
}
