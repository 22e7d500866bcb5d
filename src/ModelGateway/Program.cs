using ModelGateway.Cli;

return await GatewayCli.RunAsync(args, Console.Out, Console.Error);
