namespace ModelGateway.Simulator.Responses;

/// <summary>A response kept by the simulator: its JSON as returned, its input items and its conversation so far.</summary>
internal sealed record StoredResponse(string Id, byte[] Json, IReadOnlyList<string> InputItems, ConversationSummary Conversation);
