using Microsoft.Extensions.Http;
using Microsoft.Extensions.Options;
using ModelGateway.Providers.Anthropic;
using ModelGateway.Providers.Azure;
using ModelGateway.Providers.Gemini;
using ModelGateway.Providers.OpenAi;

namespace ModelGateway.Providers.Translation;

/// <summary>Registers the Anthropic, Gemini and Azure OpenAI adapters and the HTTP clients they use.</summary>
internal static class TranslatingAdapterServices
{
    public static IServiceCollection AddTranslatingAdapters(this IServiceCollection services)
    {
        services.AddHttpClient();
        services.AddSingleton<IConfigureOptions<HttpClientFactoryOptions>, ProviderHttpClients>();
        services.AddSingleton<TranslatingTransport>();
        services.AddSingleton<IProviderAdapter, AnthropicAdapter>();
        services.AddSingleton<IProviderAdapter, GeminiAdapter>();
        services.AddSingleton<IProviderAdapter>(sp => ActivatorUtilities.CreateInstance<OpenAiForwardingAdapter>(sp, new AzureOpenAiDialect()));
        return services;
    }
}
