using System.Text.Json;
using ModelGateway.Simulator;

namespace ModelGateway.Tests.RealClients;

/// <summary>
/// The scripted agent turn the real-client tests give the simulator: a harmless shell command through whichever
/// shell tool the client offers (Codex <c>exec_command</c> or <c>shell</c>, Claude Code <c>Bash</c>), then a fixed answer.
/// The command prints <see cref="ToolOutput"/>, which is not in the command's own text, so finding it in the
/// next request proves the client ran the command.
/// </summary>
public static class AgentScript
{
    public const string Command = "echo mg-tool-$((40+2))";
    public const string ToolOutput = "mg-tool-42";
    public const string Answer = "mg-final-answer: the scripted tool ran";

    public static ScriptSpec Spec { get; } = new()
    {
        ToolCalls =
        [
            Call("exec_command", new { cmd = Command }),
            Call("shell", new { command = new[] { "bash", "-lc", Command } }),
            Call("Bash", new { command = Command, description = "Print the test marker" }),
        ],
        Answer = Answer,
    };

    private static ScriptedToolCall Call(string name, object arguments) => new(name, JsonSerializer.SerializeToElement(arguments));
}
