using OpenTelemetry.Exporter;

namespace ModelGateway.Telemetry;

/// <summary>The configuration spellings of the OTLP transport.</summary>
internal static class OtlpProtocols
{
    public static bool TryParse(string? value, out OtlpExportProtocol protocol)
    {
        switch (value)
        {
            case null or "grpc": protocol = OtlpExportProtocol.Grpc; return true;
            case "http/protobuf": protocol = OtlpExportProtocol.HttpProtobuf; return true;
            default: protocol = default; return false;
        }
    }

    /// <summary>
    /// The URL for one signal. Set in code, the HTTP exporter uses the endpoint as given, so the signal path
    /// (<c>/v1/metrics</c>, <c>/v1/traces</c>) is added here; gRPC takes the bare endpoint.
    /// </summary>
    public static Uri SignalEndpoint(Uri endpoint, OtlpExportProtocol protocol, string signalPath) =>
        protocol == OtlpExportProtocol.HttpProtobuf ? new Uri(endpoint.AbsoluteUri.TrimEnd('/') + signalPath) : endpoint;
}
