namespace ModelGateway.Configuration;

/// <summary>Facts about the shipped quick start (<c>deploy/quickstart/gateway.json</c>) that the gateway warns about.</summary>
internal static class QuickStart
{
    /// <summary>SHA-256 of <c>mg-quickstart-key</c>, the client key printed in the README.</summary>
    public static readonly byte[] KeySha256 = Convert.FromHexString("ac745d52a8cd07299ba2fd66391606677a9414cc59ddf6b3894565bb7780f260");
}
