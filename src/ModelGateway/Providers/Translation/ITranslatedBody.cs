using System.Text.Json;
using ModelGateway.Requests;

namespace ModelGateway.Providers.Translation;

/// <summary>A whole translated response body: written as OpenAI JSON, with the usage the dispatcher accounts.</summary>
internal interface ITranslatedBody
{
    TokenUsage? Usage { get; }

    void Write(Utf8JsonWriter json);
}
