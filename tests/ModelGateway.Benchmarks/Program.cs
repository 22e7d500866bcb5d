using BenchmarkDotNet.Running;

// Micro-benchmarks of the gateway's hot paths. Run all, or pick with a filter:
//   dotnet run -c Release --project tests/ModelGateway.Benchmarks -- --filter '*Parse*'
BenchmarkSwitcher.FromAssembly(typeof(ModelGateway.Benchmarks.RequestParsingBenchmarks).Assembly).Run(args);
