using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using ModelGateway.Simulator.Faults;
using ModelGateway.Simulator.Hosting;

namespace ModelGateway.Simulator.Control;

/// <summary>The <c>/_sim</c> control API: recorded requests, faults and health, for out-of-process callers.</summary>
internal static class ControlEndpoints
{
    public static void MapSimulatorControl(this WebApplication app)
    {
        var control = app.MapGroup(SimulatorPaths.Control);
        control.MapGet("/health", Health);
        control.MapGet("/requests", (SimulatorState state) => TypedResults.Ok(state.Received));
        control.MapDelete("/requests", ClearRequests);
        control.MapGet("/faults", (SimulatorState state) => TypedResults.Ok(state.PendingFaults));
        control.MapPost("/faults", EnqueueFault);
        control.MapDelete("/faults", ClearFaults);
        control.MapGet("/script", (SimulatorState state) => state.Script is { } script ? Results.Ok(script) : Results.NoContent());
        control.MapPost("/script", SetScript);
        control.MapDelete("/script", ClearScript);
        control.MapGet("/profiles", (Profiles.AnswerProfiles profiles) => TypedResults.Ok(profiles.All()));
        control.MapPut("/profiles/{model}", SetProfile);
        control.MapDelete("/profiles/{model}", (string model, Profiles.AnswerProfiles profiles) =>
            profiles.Remove(model) ? Results.NoContent() : Results.NotFound());
        control.MapGet("/load", (Saturation.CapacityGate gate) => TypedResults.Ok(gate.Snapshot()));
        control.MapPut("/metrics-fault/{mode}", SetMetricsFault);
    }

    private static Ok<HealthReport> Health(IOptions<SimulatorOptions> options) =>
        TypedResults.Ok(new HealthReport("ok", options.Value.Name, Simulator: true, [.. options.Value.Models]));

    private static Results<NoContent, ProblemHttpResult> SetMetricsFault(string mode, Saturation.CapacityGate gate)
    {
        if (!Enum.TryParse<Saturation.MetricsFault>(mode, ignoreCase: true, out var fault) || !Enum.IsDefined(fault))
        {
            return TypedResults.Problem(
                $"mode must be one of: {string.Join(", ", Enum.GetNames<Saturation.MetricsFault>()).ToLowerInvariant()}.",
                statusCode: StatusCodes.Status400BadRequest,
                title: "Invalid metrics fault");
        }

        gate.MetricsFault = fault;
        return TypedResults.NoContent();
    }

    private static Results<Ok<AnswerProfile>, ProblemHttpResult> SetProfile(string model, AnswerProfile profile, Profiles.AnswerProfiles profiles)
    {
        if (Profiles.ProfileValidator.Validate(model, profile) is { } error)
        {
            return TypedResults.Problem(error, statusCode: StatusCodes.Status400BadRequest, title: "Invalid profile");
        }

        profiles.Set(model, profile);
        return TypedResults.Ok(profile);
    }

    private static NoContent ClearRequests(SimulatorState state)
    {
        state.Clear();
        return TypedResults.NoContent();
    }

    private static Results<Ok<FaultSpec>, ProblemHttpResult> EnqueueFault(FaultSpec fault, SimulatorState state)
    {
        if (FaultValidator.Validate(fault) is { } error)
        {
            return TypedResults.Problem(error, statusCode: StatusCodes.Status400BadRequest, title: "Invalid fault");
        }

        state.EnqueueFault(fault);
        return TypedResults.Ok(fault);
    }

    private static Results<Ok<ScriptSpec>, ProblemHttpResult> SetScript(ScriptSpec script, SimulatorState state)
    {
        if (Scripting.ScriptValidator.Validate(script) is { } error)
        {
            return TypedResults.Problem(error, statusCode: StatusCodes.Status400BadRequest, title: "Invalid script");
        }

        state.SetScript(script);
        return TypedResults.Ok(script);
    }

    private static NoContent ClearScript(SimulatorState state)
    {
        state.ClearScript();
        return TypedResults.NoContent();
    }

    private static NoContent ClearFaults(SimulatorState state)
    {
        state.ClearFaults();
        return TypedResults.NoContent();
    }
}
