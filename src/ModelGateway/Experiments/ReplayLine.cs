namespace ModelGateway.Experiments;

/// <summary>One line of a replay dataset: the request to send (OpenAI chat bytes) and, for a fine-tuning line, its reference answer.</summary>
internal sealed record ReplayLine(int Number, byte[] Body, Answer? Reference);
