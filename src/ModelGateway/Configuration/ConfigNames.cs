namespace ModelGateway.Configuration;

/// <summary>The spellings used in configuration files for enum-like values, in one place.</summary>
internal static class ConfigNames
{
    public static bool TryParseKind(string? value, out ProviderKind kind)
    {
        switch (value)
        {
            case "openai": kind = ProviderKind.OpenAi; return true;
            case "anthropic": kind = ProviderKind.Anthropic; return true;
            case "gemini": kind = ProviderKind.Gemini; return true;
            case "azure-openai": kind = ProviderKind.AzureOpenAi; return true;
            default: kind = default; return false;
        }
    }

    public static string Name(ProviderKind kind) => kind switch
    {
        ProviderKind.OpenAi => "openai",
        ProviderKind.Anthropic => "anthropic",
        ProviderKind.Gemini => "gemini",
        ProviderKind.AzureOpenAi => "azure-openai",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    public static bool TryParseTrust(string? value, out TrustTier tier)
    {
        switch (value)
        {
            case "self-hosted": tier = TrustTier.SelfHosted; return true;
            case "contracted": tier = TrustTier.Contracted; return true;
            case "public": tier = TrustTier.Public; return true;
            default: tier = default; return false;
        }
    }

    public static string Name(TrustTier tier) => tier switch
    {
        TrustTier.SelfHosted => "self-hosted",
        TrustTier.Contracted => "contracted",
        TrustTier.Public => "public",
        _ => throw new ArgumentOutOfRangeException(nameof(tier)),
    };

    public static bool TryParseTrainingUse(string? value, out TrainingUse use)
    {
        switch (value)
        {
            case "allowed": use = TrainingUse.Allowed; return true;
            case "forbidden": use = TrainingUse.Forbidden; return true;
            default: use = TrainingUse.Forbidden; return false;
        }
    }

    public static string Name(TrainingUse use) => use switch
    {
        TrainingUse.Allowed => "allowed",
        TrainingUse.Forbidden => "forbidden",
        _ => throw new ArgumentOutOfRangeException(nameof(use)),
    };

    public static bool TryParseStoredResponseOwner(string? value, out StoredResponseOwner owner)
    {
        switch (value)
        {
            case "key": owner = StoredResponseOwner.Key; return true;
            case "team": owner = StoredResponseOwner.Team; return true;
            default: owner = StoredResponseOwner.Key; return false;
        }
    }

    /// <summary>The training-use default of a trust tier: only a provider we run ourselves may be captured unless the operator says so.</summary>
    public static TrainingUse DefaultTrainingUse(TrustTier tier) => tier == TrustTier.SelfHosted ? TrainingUse.Allowed : TrainingUse.Forbidden;

    /// <summary>An inbound protocol by its configuration (and metrics label) name: chat, embeddings, messages, responses, completions.</summary>
    public static bool TryParseProtocol(string value, out Requests.InboundProtocol protocol)
    {
        switch (value)
        {
            case "chat": protocol = Requests.InboundProtocol.OpenAiChatCompletions; return true;
            case "embeddings": protocol = Requests.InboundProtocol.OpenAiEmbeddings; return true;
            case "messages": protocol = Requests.InboundProtocol.AnthropicMessages; return true;
            case "responses": protocol = Requests.InboundProtocol.OpenAiResponses; return true;
            case "completions": protocol = Requests.InboundProtocol.OpenAiCompletions; return true;
            default: protocol = default; return false;
        }
    }

    public static bool TryParseCapability(string value, out ModelCapabilities capability)
    {
        switch (value)
        {
            case "chat": capability = ModelCapabilities.Chat; return true;
            case "tools": capability = ModelCapabilities.Tools; return true;
            case "vision": capability = ModelCapabilities.Vision; return true;
            case "json_schema": capability = ModelCapabilities.JsonSchema; return true;
            case "embeddings": capability = ModelCapabilities.Embeddings; return true;
            case "responses": capability = ModelCapabilities.Responses; return true;
            case "completions": capability = ModelCapabilities.Completions; return true;
            default: capability = default; return false;
        }
    }
}
