namespace ModelGateway.Simulator.Generation;

/// <summary>Whether and which tool the model must call.</summary>
internal enum ToolChoiceMode
{
    Auto,
    None,
    Required,
    Named,
}
