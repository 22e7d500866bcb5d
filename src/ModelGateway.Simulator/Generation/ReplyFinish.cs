namespace ModelGateway.Simulator.Generation;

/// <summary>Why a reply choice ended.</summary>
internal enum ReplyFinish
{
    Stop,
    Length,
    ToolCalls,
}
