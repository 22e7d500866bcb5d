using System.Reflection;
using ModelGateway.Pipeline;
using NetArchTest.Rules;

namespace ModelGateway.Tests.Architecture;

/// <summary>
/// The dependency rules of the gateway's folders (folder = namespace), checked on the compiled assembly with
/// NetArchTest so they stay true: the shared request types are the bottom layer, the stages of the request path
/// never reach up into the front door or the host, only the front door handles HTTP for inference, and the
/// folders form no cycle apart from the one known configuration knot (see <see cref="ConfigurationReachesBackInto"/>).
/// </summary>
public sealed class ArchitectureTests
{
    private const string Root = "ModelGateway.";

    private static readonly Assembly Gateway = typeof(GatewayRequest).Assembly;

    private static readonly string[] Folders = Gateway.GetTypes()
        .Select(type => type.Namespace)
        .Where(ns => ns is not null && ns.StartsWith(Root, StringComparison.Ordinal))
        .Select(ns => ns!.Split('.')[1])
        .Distinct(StringComparer.Ordinal)
        .Order(StringComparer.Ordinal)
        .ToArray();

    /// <summary>
    /// Configuration still aggregates the option and policy types that live in these feature folders (quota limits,
    /// routing rules, sensitivity options; the admin, telemetry, ledger and shutdown sections the strict check
    /// knows), which in turn read the configuration. Moving those types into Configuration would remove the knot;
    /// until then it may not grow.
    /// </summary>
    private static readonly string[] ConfigurationReachesBackInto = ["Accounting", "Admin", "Hosting", "Quotas", "Routing", "Sensitivity", "Telemetry"];

    [Fact]
    public void The_folders_are_the_expected_ones()
    {
        // A new folder must be placed in the layering below on purpose.
        Assert.Equal(
            ["Accounting", "Admin", "Capture", "Cli", "Configuration", "Experiments", "FrontDoor", "Hosting", "Pipeline", "Providers", "Quotas", "Requests", "Routing", "Sensitivity", "Telemetry"],
            Folders);
    }

    [Fact]
    public void The_shared_request_types_depend_on_no_other_part_of_the_gateway()
    {
        var others = Folders.Where(f => f != "Requests").Select(f => Root + f).ToArray();

        var result = Types.InAssembly(Gateway).That().ResideInNamespace(Root + "Requests").ShouldNot().HaveDependencyOnAny(others).GetResult();

        Assert.True(result.IsSuccessful, Describe(result));
    }

    [Theory]
    [InlineData("Pipeline")]
    [InlineData("Sensitivity")]
    [InlineData("Routing")]
    [InlineData("Quotas")]
    [InlineData("Providers")]
    [InlineData("Accounting")]
    [InlineData("Capture")]
    [InlineData("Telemetry")]
    [InlineData("Experiments")]
    public void A_stage_of_the_request_path_never_reaches_up_into_the_front_door_or_the_host(string stage)
    {
        var result = Types.InAssembly(Gateway).That().ResideInNamespace(Root + stage)
            .ShouldNot().HaveDependencyOnAny(Root + "FrontDoor", Root + "Hosting", Root + "Admin", Root + "Cli").GetResult();

        Assert.True(result.IsSuccessful, Describe(result));
    }

    [Theory]
    [InlineData("Sensitivity")]
    [InlineData("Routing")]
    [InlineData("Quotas")]
    public void Classification_routing_and_quotas_take_the_request_object_not_the_http_context(string stage)
    {
        // The client's HTTP context stays with the front door, the client sink and the forwarding adapter (which
        // YARP drives through it); the completion listeners (accounting, telemetry) read the finished exchange.
        var result = Types.InAssembly(Gateway).That().ResideInNamespace(Root + stage)
            .ShouldNot().HaveDependencyOn("Microsoft.AspNetCore.Http.HttpContext").GetResult();

        Assert.True(result.IsSuccessful, Describe(result));
    }

    [Fact]
    public void The_folders_form_no_cycle_apart_from_the_known_configuration_knot()
    {
        var edges = Folders.ToDictionary(f => f, f => Folders.Where(g => g != f && DependsOn(f, g)).ToHashSet(StringComparer.Ordinal));

        // The knot may shrink, never grow.
        var reachedBack = edges["Configuration"].Where(target => Reaches(edges, target, "Configuration")).Order(StringComparer.Ordinal).ToArray();
        Assert.True(reachedBack.All(ConfigurationReachesBackInto.Contains), "Configuration now also reaches back into: " +
            string.Join(", ", reachedBack.Except(ConfigurationReachesBackInto)));

        // Everything else is a directed acyclic graph.
        edges["Configuration"].RemoveWhere(target => ConfigurationReachesBackInto.Contains(target));
        var cycle = FindCycle(edges);
        Assert.True(cycle is null, $"The folders depend on each other in a cycle: {string.Join(" -> ", cycle ?? [])}");
    }

    private static bool DependsOn(string folder, string other) =>
        !Types.InAssembly(Gateway).That().ResideInNamespace(Root + folder).ShouldNot().HaveDependencyOn(Root + other).GetResult().IsSuccessful;

    private static bool Reaches(Dictionary<string, HashSet<string>> edges, string from, string to)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>([from]);
        while (pending.TryPop(out var node))
        {
            if (node == to)
            {
                return true;
            }

            if (seen.Add(node))
            {
                foreach (var next in edges[node])
                {
                    pending.Push(next);
                }
            }
        }

        return false;
    }

    private static List<string>? FindCycle(Dictionary<string, HashSet<string>> edges)
    {
        var state = new Dictionary<string, int>(StringComparer.Ordinal);
        var path = new List<string>();

        List<string>? Visit(string node)
        {
            state[node] = 1;
            path.Add(node);
            foreach (var next in edges[node])
            {
                if (state.GetValueOrDefault(next) == 1)
                {
                    return [.. path.SkipWhile(n => n != next), next];
                }

                if (state.GetValueOrDefault(next) == 0 && Visit(next) is { } found)
                {
                    return found;
                }
            }

            path.RemoveAt(path.Count - 1);
            state[node] = 2;
            return null;
        }

        foreach (var node in edges.Keys)
        {
            if (state.GetValueOrDefault(node) == 0 && Visit(node) is { } cycle)
            {
                return cycle;
            }
        }

        return null;
    }

    private static string Describe(TestResult result) =>
        result.IsSuccessful ? string.Empty : "Offending types: " + string.Join(", ", result.FailingTypeNames ?? []);
}
