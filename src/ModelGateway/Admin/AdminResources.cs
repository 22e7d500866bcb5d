using System.Text.Json.Nodes;
using ModelGateway.Configuration;
using ModelGateway.Sensitivity;

namespace ModelGateway.Admin;

/// <summary>The collections the admin API serves, and the referential rules between them.</summary>
internal static class AdminResources
{
    public static readonly AdminResource Providers = AdminResource.For<ProviderOptions>("providers", "Providers", "providers") with
    {
        WriteOnly = ["credential"],
        Decorate = (entry, representation) =>
        {
            representation["credentialConfigured"] = entry["credential"]?.GetValue<string>() is { } reference && reference != "none";
            representation["effectiveTrainingUse"] = EffectiveTrainingUse(entry);
        },
        Referrers = (options, id) => options.Deployments.Where(d => d.Value.Provider == id).Select(d => $"deployments/{d.Key}"),
    };

    public static readonly AdminResource Deployments = AdminResource.For<DeploymentOptions>("deployments", "Deployments", "deployments") with
    {
        Referrers = (options, id) => options.Routes.Where(r => r.Value.Deployments.Contains(id)).Select(r => $"routes/{r.Key}")
            .Concat(options.Experiments.Where(e => e.Value.Candidates.Contains(id) || e.Value.EmbeddingsDeployment == id || e.Value.JudgeDeployment == id)
                .Select(e => $"experiments/{e.Key}")),
    };

    // Removing a deployment can also remove a model that aliases, team limits or key allow-lists name: the whole-document
    // validation reports those (422), naming each one.

    public static readonly AdminResource Aliases = new()
    {
        Name = "aliases",
        ErrorPrefix = "Aliases",
        Container = ["aliases"],
        ToEditable = entry => new JsonObject { ["target"] = entry.DeepClone() },
        ToEntry = (input, id, errors) =>
        {
            if (input.Count == 1 && input.FirstOrDefault().Key.Equals("target", StringComparison.OrdinalIgnoreCase)
                && input.FirstOrDefault().Value is JsonValue target && target.TryGetValue<string>(out var name))
            {
                return name;
            }

            errors.Add($"Aliases:{id}:target is required: the public model name the alias stands for, and nothing else.");
            return null;
        },
        Referrers = (options, id) => options.Routes.Where(r => r.Value.Match.Models.Contains(id)).Select(r => $"routes/{r.Key}")
            .Concat(options.Experiments.Where(e => e.Value.Match.Models.Contains(id)).Select(e => $"experiments/{e.Key}")),
    };

    public static readonly AdminResource Routes = AdminResource.For<ModelGateway.Routing.RouteOptions>("routes", "Routes", "routes");

    public static readonly AdminResource Detectors = AdminResource.For<SensitivityPatternOptions>("detectors", "Sensitivity:Patterns", "sensitivity", "patterns");

    public static readonly AdminResource Keys = AdminResource.For<ClientKeyOptions>("keys", "Keys", "keys") with
    {
        WriteOnly = ["sha256"],
        Referrers = (options, id) => options.Routes.Where(r => r.Value.Match.Keys.Contains(id)).Select(r => $"routes/{r.Key}")
            .Concat(options.Experiments.Where(e => e.Value.Match.Keys.Contains(id)).Select(e => $"experiments/{e.Key}"))
            .Concat(options.Sensitivity.KeyDefaults.ContainsKey(id) ? [$"sensitivity/keyDefaults/{id}"] : []),
    };

    /// <summary>Teams with their limits and budgets (docs/quotas.md); keys name their team.</summary>
    public static readonly AdminResource Teams = AdminResource.For<Quotas.TeamOptions>("teams", "Teams", "teams") with
    {
        Referrers = (options, id) => options.Keys.Where(k => k.Value.Team == id).Select(k => $"keys/{k.Key}")
            .Concat(options.Routes.Where(r => r.Value.Match.Teams.Contains(id)).Select(r => $"routes/{r.Key}"))
            .Concat(options.Experiments.Where(e => e.Value.Match.Teams.Contains(id)).Select(e => $"experiments/{e.Key}"))
            .Concat(options.Sensitivity.TeamDefaults.ContainsKey(id) ? [$"sensitivity/teamDefaults/{id}"] : []),
    };

    /// <summary>The provider's training use as the gateway applies it: its own setting, else its trust tier's default.</summary>
    private static string EffectiveTrainingUse(JsonNode entry)
    {
        if (entry["trainingUse"]?.GetValue<string>() is { } set)
        {
            return set;
        }

        return ConfigNames.TryParseTrust(entry["trust"]?.GetValue<string>(), out var tier)
            ? ConfigNames.Name(ConfigNames.DefaultTrainingUse(tier))
            : ConfigNames.Name(TrainingUse.Forbidden);
    }
    /// <summary>Shadow experiments (docs/experiments.md); started and stopped with <c>POST .../start</c> and <c>.../stop</c>.</summary>
    public static readonly AdminResource Experiments = AdminResource.For<ExperimentOptions>("experiments", "Experiments", "experiments");

    public static readonly AdminResource[] All = [Providers, Deployments, Aliases, Routes, Detectors, Keys, Teams, Experiments];
}
