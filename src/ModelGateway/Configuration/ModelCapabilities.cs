namespace ModelGateway.Configuration;

[Flags]
public enum ModelCapabilities
{
    None = 0,
    Chat = 1,
    Tools = 2,
    Vision = 4,
    JsonSchema = 8,
    Embeddings = 16,
}
