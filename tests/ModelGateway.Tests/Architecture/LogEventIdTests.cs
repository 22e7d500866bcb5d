using System.Reflection;
using Microsoft.Extensions.Logging;

namespace ModelGateway.Tests.Architecture;

/// <summary>
/// Every log event of the gateway has its own id: alerts and dashboards select events by id, so two meanings under
/// one id (as "circuit opened" and "ledger write failed" once shared 410) make an alert fire for the wrong thing.
/// </summary>
public sealed class LogEventIdTests
{
    [Fact]
    public void Every_log_event_id_in_the_gateway_is_used_once()
    {
        var events = typeof(Hosting.GatewayApp).Assembly.GetTypes()
            .SelectMany(type => type.GetMethods(BindingFlags.Instance | BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            .Select(method => (Method: method, Attribute: method.GetCustomAttribute<LoggerMessageAttribute>()))
            .Where(e => e.Attribute is not null)
            .Select(e => (e.Attribute!.EventId, Name: $"{e.Method.DeclaringType!.Name}.{e.Method.Name}"))
            .ToList();

        Assert.True(events.Count > 30, $"only {events.Count} [LoggerMessage] methods found: the scan is not seeing them");
        var duplicates = events.GroupBy(e => e.EventId).Where(g => g.Count() > 1)
            .Select(g => $"{g.Key}: {string.Join(", ", g.Select(e => e.Name))}").ToList();
        Assert.True(duplicates.Count == 0, "log event ids used more than once: " + string.Join("; ", duplicates));
    }
}
