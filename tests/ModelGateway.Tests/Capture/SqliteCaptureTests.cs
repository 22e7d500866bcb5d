namespace ModelGateway.Tests.Capture;

/// <summary>The capture suite on the embedded SQLite ledger (each gateway its own file).</summary>
public sealed class SqliteCaptureTests : CaptureBehaviourTests
{
    protected override Task<string[]> LedgerArgsAsync() => Task.FromResult<string[]>([]);
}
