namespace ModelGateway.Hosting;

/// <summary><c>ModelGateway probe URL</c>: exit code 0 when the URL answers 2xx within five seconds, 1 otherwise.</summary>
internal static class HealthProbe
{
    public static async Task<int> RunAsync(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            await Console.Error.WriteLineAsync($"probe: '{url}' is not an absolute http(s) URL.");
            return 2;
        }

        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        try
        {
            using var response = await client.GetAsync(uri);
            Console.WriteLine($"probe: {(int)response.StatusCode} from {uri}");
            return response.IsSuccessStatusCode ? 0 : 1;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            await Console.Error.WriteLineAsync($"probe: {uri} unreachable ({ex.Message})");
            return 1;
        }
    }
}
