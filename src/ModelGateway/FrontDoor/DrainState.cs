namespace ModelGateway.FrontDoor;

/// <summary>Whether the gateway is shutting down; <c>/readyz</c> answers 503 from the first moment it is.</summary>
internal sealed class DrainState
{
    private volatile bool _draining;

    public bool IsDraining => _draining;

    public void Begin() => _draining = true;
}
