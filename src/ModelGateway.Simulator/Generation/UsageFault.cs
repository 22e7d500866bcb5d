using ModelGateway.Simulator.Hosting;

namespace ModelGateway.Simulator.Generation;

/// <summary>Applies a <see cref="FaultKind.BadUsage"/> fault: the reply is unchanged, its reported prompt tokens are the fault's.</summary>
internal static class UsageFault
{
    public static ChatReply Apply(ChatReply reply, HttpContext context) =>
        SimulatorRequestFeature.Get(context).BodyFault is { Kind: FaultKind.BadUsage } fault
            ? reply with { Usage = reply.Usage with { PromptTokens = fault.PromptTokens, CachedTokens = 0 } }
            : reply;
}
