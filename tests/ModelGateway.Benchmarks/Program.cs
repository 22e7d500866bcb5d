using BenchmarkDotNet.Running;

// Micro-benchmarks of the gateway's hot paths. Run all, or pick with a filter:
//   dotnet run -c Release --project tests/ModelGateway.Benchmarks -- --filter '*Parse*'
//   dotnet run -c Release --project tests/ModelGateway.Benchmarks -- ledger sqlite|postgres ROWS [CONNECTION]  (LedgerLoad)
if (args is ["ledger", .. var rest])
{
    await ModelGateway.Benchmarks.LedgerLoad.RunAsync(rest);
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(ModelGateway.Benchmarks.RequestParsingBenchmarks).Assembly).Run(args);
