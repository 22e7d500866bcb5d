using ModelGateway.Cli;

// On one CPU, an idle thread-pool worker that spins (sched_yield) before sleeping only takes the core from the thread
// that would give it work: at saturation that was 5.6 yields per request. Read when the pool starts, so set it first;
// DOTNET_ThreadPool_UnfairSemaphoreSpinLimit or the runtimeconfig setting still win.
const string SpinLimit = "System.Threading.ThreadPool.UnfairSemaphoreSpinLimit";
if (Environment.ProcessorCount == 1 && AppContext.GetData(SpinLimit) is null
    && Environment.GetEnvironmentVariable("DOTNET_ThreadPool_UnfairSemaphoreSpinLimit") is null)
{
    AppContext.SetData(SpinLimit, "0");
}

return await GatewayCli.RunAsync(args, Console.Out, Console.Error);
