// A plain YARP pass-through (no parsing, no policy): the floor any .NET gateway's cost is measured against.
// Every path goes to UPSTREAM; listens on 127.0.0.1:YARP_PORT. Used only by the load benchmark.
using System.Net;
using Yarp.ReverseProxy.Configuration;

var port = int.Parse(Environment.GetEnvironmentVariable("YARP_PORT") ?? "18090", System.Globalization.CultureInfo.InvariantCulture);
var upstream = Environment.GetEnvironmentVariable("UPSTREAM") ?? "http://127.0.0.1:18080/";
var builder = WebApplication.CreateBuilder(args);
builder.Logging.ClearProviders();
builder.WebHost.ConfigureKestrel(options =>
{
    options.Listen(IPAddress.Loopback, port);
    options.AddServerHeader = false;
});
builder.Services.AddReverseProxy().LoadFromMemory(
    [new RouteConfig { RouteId = "all", ClusterId = "upstream", Match = new RouteMatch { Path = "{**catch-all}" } }],
    [new ClusterConfig { ClusterId = "upstream", Destinations = new Dictionary<string, DestinationConfig> { ["d1"] = new() { Address = upstream } } }]);
var app = builder.Build();
app.MapReverseProxy();
await app.RunAsync();
