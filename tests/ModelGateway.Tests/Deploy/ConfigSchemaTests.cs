namespace ModelGateway.Tests.Deploy;

/// <summary>The schema the deployment checks rely on accepts the gateway's keys and refuses others.</summary>
public sealed class ConfigSchemaTests
{
    [Theory]
    [InlineData("ModelGateway:Providers:openai:BaseUrl", true)]
    [InlineData("ModelGateway:providers:openai:credential", true)]
    [InlineData("ModelGateway:Deployments:d:Models:0", true)]
    [InlineData("ModelGateway:Deployments:d:Price:InputPerMillion", true)]
    [InlineData("ModelGateway:Teams:web:Limits:UsdPerDay", true)]
    [InlineData("ModelGateway:Quotas:Redis", true)]
    [InlineData("ModelGateway:Telemetry:Prometheus:Port", true)]
    [InlineData("ModelGateway:Shutdown:GracePeriod", true)]
    [InlineData("Admin:Keys:ops:Sha256", true)]
    [InlineData("Logging:Json", true)]
    [InlineData("ModelGateway:Providers:openai:BaseUri", false)]
    [InlineData("ModelGateway:Telemetry:Prometheus:Host", false)]
    [InlineData("ModelGateway:Shutdown:Grace", false)]
    [InlineData("ModelGateway:Quotas:Redis:Host", false)]
    [InlineData("ModelGateway:Deployments:d:Models:first", false)]
    [InlineData("Admin:Secret", false)]
    [InlineData("Redis:Connection", false)]
    public void Schema_knows_the_gateway_keys(string key, bool exists) => Assert.Equal(exists, ConfigSchema.Exists(key));

    [Theory]
    [InlineData("ASPNETCORE_URLS", true)]
    [InlineData("MODELGATEWAY_CONFIG", true)]
    [InlineData("ModelGateway__Quotas__Redis", true)]
    [InlineData("Admin__StorePath", true)]
    [InlineData("ModelGateway__Quota__Redis", false)]
    [InlineData("MODELGATEWAY_CONFIG_FILE", false)]
    public void Schema_knows_the_environment_variables(string name, bool known) => Assert.Equal(known, ConfigSchema.IsKnownVariable(name));
}
