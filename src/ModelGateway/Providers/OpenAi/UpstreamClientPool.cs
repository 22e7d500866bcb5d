using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using ModelGateway.Configuration;
using Yarp.ReverseProxy.Forwarder;

namespace ModelGateway.Providers.OpenAi;

/// <summary>
/// One pooled <see cref="HttpMessageInvoker"/> per provider endpoint, with the socket settings YARP recommends
/// for forwarding (no proxy, no redirects, no decompression, no cookies). Reused across requests and snapshots
/// so connections stay warm; a provider whose address or connect timeout changes gets a new one.
/// </summary>
internal sealed class UpstreamClientPool : IDisposable
{
    private readonly ConcurrentDictionary<(string Id, Uri BaseUrl, TimeSpan ConnectTimeout), HttpMessageInvoker> _clients = new();

    public HttpMessageInvoker For(ProviderConfig provider) =>
        _clients.GetOrAdd((provider.Id, provider.BaseUrl, provider.ConnectTimeout), static key => Create(key.ConnectTimeout));

    private static HttpMessageInvoker Create(TimeSpan connectTimeout)
    {
        var handler = new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
            EnableMultipleHttp2Connections = true,
            ConnectTimeout = connectTimeout,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            ActivityHeadersPropagator = new ReverseProxyPropagator(DistributedContextPropagator.Current),
        };
        return new HttpMessageInvoker(handler, disposeHandler: true);
    }

    public void Dispose()
    {
        foreach (var client in _clients.Values)
        {
            client.Dispose();
        }
    }
}
