namespace ModelGateway.Tests.Telemetry;

/// <summary>
/// Tests that compare exported metric values run alone. OpenTelemetry's SDK listens to meters by name, so every
/// gateway in the test process feeds the same "ModelGateway" streams, and disposing one gateway's meter stops the
/// streams of all meters with that name (open-telemetry/opentelemetry-dotnet#6412). A single gateway per process,
/// as in production, is unaffected.
/// </summary>
[CollectionDefinition(nameof(SerialMetrics), DisableParallelization = true)]
public sealed class SerialMetrics;
