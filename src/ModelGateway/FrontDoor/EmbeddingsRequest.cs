using System.Text.Json;
using ModelGateway.Requests;

namespace ModelGateway.FrontDoor;

/// <summary>The facts about an embeddings request the gateway needs; the body is forwarded as sent.</summary>
internal sealed class EmbeddingsRequest
{
    public required string Model { get; init; }

    public required JsonSpan ModelToken { get; init; }

    public static EmbeddingsRequest? Parse(ReadOnlySpan<byte> body, out GatewayError? error)
    {
        if (JsonBodyValidator.Validate(body) is { } invalid)
        {
            error = invalid;
            return null;
        }

        try
        {
            return ParseCore(body, out error);
        }
        catch (JsonException)
        {
            error = RequestErrors.InvalidJson();
            return null;
        }
    }

    private static EmbeddingsRequest? ParseCore(ReadOnlySpan<byte> body, out GatewayError? error)
    {
        var reader = new Utf8JsonReader(body);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            error = RequestErrors.NotAnObject();
            return null;
        }

        string? model = null;
        JsonSpan modelToken = default;
        var hasInput = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("model"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.String)
                {
                    error = RequestErrors.WrongType("model", "a string");
                    return null;
                }

                model = reader.GetString();
                modelToken = ChatRequestParser.TokenSpan(ref reader);
            }
            else if (reader.ValueTextEquals("input"u8))
            {
                reader.Read();
                if (reader.TokenType is not (JsonTokenType.String or JsonTokenType.StartArray))
                {
                    error = RequestErrors.WrongType("input", "a string or an array");
                    return null;
                }

                hasInput = reader.TokenType == JsonTokenType.StartArray || reader.ValueSpan.Length > 0;
                reader.Skip();
            }
            else if (reader.ValueTextEquals("encoding_format"u8))
            {
                reader.Read();
                if (!(reader.TokenType == JsonTokenType.String && (reader.ValueTextEquals("float"u8) || reader.ValueTextEquals("base64"u8))))
                {
                    error = GatewayError.InvalidRequest("'encoding_format' must be 'float' or 'base64'.", "encoding_format");
                    return null;
                }
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        if (model is null or "")
        {
            error = RequestErrors.Missing("model");
            return null;
        }

        if (!hasInput)
        {
            error = RequestErrors.Missing("input");
            return null;
        }

        error = null;
        return new EmbeddingsRequest { Model = model, ModelToken = modelToken };
    }
}
