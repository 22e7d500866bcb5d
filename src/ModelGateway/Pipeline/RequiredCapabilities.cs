using ModelGateway.Configuration;
using ModelGateway.Requests;

namespace ModelGateway.Pipeline;

/// <summary>What a deployment must be able to do to serve a request.</summary>
internal static class RequiredCapabilities
{
    public static ModelCapabilities Of(Operation operation, ChatRequest? chat)
    {
        if (operation == Operation.Embeddings)
        {
            return ModelCapabilities.Embeddings;
        }

        if (operation == Operation.Completions)
        {
            return ModelCapabilities.Completions;
        }

        var required = ModelCapabilities.Chat;
        if (chat is null)
        {
            return required;
        }

        if (chat.UsesTools)
        {
            required |= ModelCapabilities.Tools;
        }

        if (chat.UsesImages)
        {
            required |= ModelCapabilities.Vision;
        }

        if (chat.UsesJsonSchema)
        {
            required |= ModelCapabilities.JsonSchema;
        }

        return required;
    }

    public static GatewayError NoCapableDeployment(string model, ModelCapabilities required) =>
        GatewayError.InvalidRequest(
            $"The model '{model}' has no deployment that supports what this request needs ({Describe(required)}).",
            "model",
            "model_not_supported");

    public static string Describe(ModelCapabilities capabilities)
    {
        var names = new List<string>();
        foreach (var flag in Enum.GetValues<ModelCapabilities>())
        {
            if (flag != ModelCapabilities.None && capabilities.HasFlag(flag))
            {
                names.Add(flag == ModelCapabilities.JsonSchema ? "json_schema" : flag.ToString().ToLowerInvariant());
            }
        }

        return string.Join(", ", names);
    }
}
