using ModelGateway.Simulator;

var app = SimulatorApp.Build(args);
app.Lifetime.ApplicationStarted.Register(() =>
    Console.WriteLine($"ModelGateway provider SIMULATOR (not a real model) listening on {string.Join(", ", app.Urls)}"));
app.Run();
