using System.Text.Json;

namespace ModelGateway.Simulator.Scripting;

/// <summary>Checks a <see cref="ScriptSpec"/> for the API and the control API alike.</summary>
internal static class ScriptValidator
{
    /// <summary>Returns why the script is invalid, or null when it is valid.</summary>
    public static string? Validate(ScriptSpec script)
    {
        if (string.IsNullOrWhiteSpace(script.Answer))
        {
            return "A script needs a non-empty answer.";
        }

        foreach (var call in script.ToolCalls ?? [])
        {
            if (call is null || string.IsNullOrEmpty(call.Name))
            {
                return "Each scripted tool call needs a name.";
            }

            if (call.Arguments.ValueKind != JsonValueKind.Object)
            {
                return $"The arguments of scripted tool call '{call.Name}' must be a JSON object.";
            }
        }

        return null;
    }
}
