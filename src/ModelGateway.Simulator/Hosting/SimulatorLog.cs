namespace ModelGateway.Simulator.Hosting;

/// <summary>The simulator's log events.</summary>
internal static partial class SimulatorLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Error, Message = "Unexpected simulator error on {Method} {Path}")]
    public static partial void UnexpectedError(ILogger logger, Exception exception, string method, PathString path);
}
