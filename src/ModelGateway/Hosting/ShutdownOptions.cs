namespace ModelGateway.Hosting;

/// <summary>
/// The <c>ModelGateway:Shutdown</c> section: how the gateway drains on SIGTERM (or Ctrl-C). Read once at start-up.
/// </summary>
public sealed class ShutdownOptions
{
    public const string SectionName = "ModelGateway:Shutdown";

    /// <summary>
    /// How long new requests are still served after the signal while <c>/readyz</c> answers 503: set it to the load
    /// balancer's de-registration delay (the time it takes to stop sending new connections here).
    /// </summary>
    public TimeSpan GracePeriod { get; set; } = TimeSpan.Zero;

    /// <summary>After the grace period the listeners close; requests and streams in flight get this long to finish.</summary>
    public TimeSpan DrainTimeout { get; set; } = TimeSpan.FromSeconds(30);
}
