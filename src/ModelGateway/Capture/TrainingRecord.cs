namespace ModelGateway.Capture;

/// <summary>One captured pair as a line of an OpenAI chat fine-tuning file, with what was done to it.</summary>
/// <param name="Json">The JSONL line (no line break): <c>{"messages":[...],"tools":[...]}</c>.</param>
/// <param name="Redactions">How many detector matches were replaced.</param>
/// <param name="ToolCalls">Tool calls in the captured answer.</param>
internal sealed record TrainingRecord(string Json, int Redactions, int ToolCalls);
