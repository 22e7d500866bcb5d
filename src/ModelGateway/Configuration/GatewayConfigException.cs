namespace ModelGateway.Configuration;

/// <summary>The configuration is invalid; <see cref="Errors"/> names every problem found.</summary>
public sealed class GatewayConfigException : Exception
{
    public GatewayConfigException(IReadOnlyList<string> errors)
        : base(GatewayConfigBuilder.Describe(errors))
    {
        Errors = errors;
    }

    public GatewayConfigException()
        : this([])
    {
    }

    public GatewayConfigException(string message)
        : this([message])
    {
    }

    public GatewayConfigException(string message, Exception innerException)
        : base(message, innerException)
    {
        Errors = [message];
    }

    public IReadOnlyList<string> Errors { get; }
}
