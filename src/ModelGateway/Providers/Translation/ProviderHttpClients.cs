using System.Net;
using Microsoft.Extensions.Http;
using Microsoft.Extensions.Options;
using ModelGateway.Configuration;

namespace ModelGateway.Providers.Translation;

/// <summary>
/// Names and configures the <see cref="IHttpClientFactory"/> clients of the translating adapters: one named client
/// (so one connection pool) per provider, over a <see cref="SocketsHttpHandler"/> with the provider's connect
/// timeout, no proxy, no redirects, no cookies and no overall timeout (the adapters time each phase themselves).
/// </summary>
internal sealed class ProviderHttpClients : IConfigureNamedOptions<HttpClientFactoryOptions>
{
    private const string Prefix = "ModelGateway.Provider.";
    private static readonly TimeSpan DefaultConnectTimeout = TimeSpan.FromSeconds(10);

    private readonly IGatewayConfigStore _config;

    public ProviderHttpClients(IGatewayConfigStore config) => _config = config;

    public static string NameFor(ProviderConfig provider) => Prefix + provider.Id;

    public void Configure(string? name, HttpClientFactoryOptions options)
    {
        if (name is null || !name.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return;
        }

        var providerId = name[Prefix.Length..];
        options.HttpClientActions.Add(client => client.Timeout = Timeout.InfiniteTimeSpan);
        options.HttpMessageHandlerBuilderActions.Add(builder =>
        {
            // Read when the handler is (re)built, so a changed connect timeout applies at the next rotation.
            var connectTimeout = _config.Current.Config.Providers.TryGetValue(providerId, out var provider)
                ? provider.ConnectTimeout
                : DefaultConnectTimeout;
            builder.PrimaryHandler = new SocketsHttpHandler
            {
                UseProxy = false,
                AllowAutoRedirect = false,
                AutomaticDecompression = DecompressionMethods.None,
                UseCookies = false,
                EnableMultipleHttp2Connections = true,
                ConnectTimeout = connectTimeout,
                PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            };
        });
    }

    public void Configure(HttpClientFactoryOptions options) => Configure(Options.DefaultName, options);
}
