namespace ModelGateway.Telemetry;

/// <summary>An instrument the gateway exports: its OpenTelemetry name, unit and kind (also read by the docs tests).</summary>
public sealed record InstrumentDescriptor(string Name, string Unit, InstrumentKind Kind, string Description);

public enum InstrumentKind
{
    Counter,
    UpDownCounter,
    Histogram,
    ObservableGauge,
    ObservableCounter,
}
