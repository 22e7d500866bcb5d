using ModelGateway.Configuration;
using ModelGateway.FrontDoor;
using ModelGateway.Hosting;

if (args is ["hash-key", var keyToHash])
{
    Console.WriteLine(ClientAuthenticationMiddleware.HashKey(keyToHash));
    return 0;
}

if (args is ["new-key", ..])
{
    var key = "mg-" + Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(24));
    Console.WriteLine($"key:    {key}");
    Console.WriteLine($"sha256: {ClientAuthenticationMiddleware.HashKey(key)}");
    return 0;
}

if (args is ["probe", var probeUrl])
{
    // The container health check: the image has no curl, so the gateway probes itself (see deploy/docker/Dockerfile).
    return await HealthProbe.RunAsync(probeUrl);
}

try
{
    var app = GatewayApp.Build(args);
    await app.RunAsync();
    return 0;
}
catch (GatewayConfigException ex)
{
    await Console.Error.WriteLineAsync(ex.Message);
    return 2;
}
catch (Microsoft.Extensions.Options.OptionsValidationException ex)
{
    // Sections validated as options (e.g. ModelGateway:Telemetry) fail at start-up the same way.
    await Console.Error.WriteLineAsync(GatewayConfigBuilder.Describe(ex.Failures));
    return 2;
}
