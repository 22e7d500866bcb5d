namespace ModelGateway.Simulator.Generation;

/// <summary>How long a reply is: the simulator's name, words in a text reply, calls in a tool reply.</summary>
internal readonly record struct ReplyShape(string Name, int Words, int ToolCalls);
