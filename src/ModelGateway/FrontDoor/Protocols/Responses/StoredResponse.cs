using ModelGateway.Configuration;
using ModelGateway.Pipeline;
using ModelGateway.Sensitivity;

namespace ModelGateway.FrontDoor.Protocols.Responses;

/// <summary>
/// A response the gateway keeps for <c>GET /v1/responses/{id}</c> and <c>previous_response_id</c>: the whole
/// conversation it answered (earlier turns expanded), its output items, the response object as sent, who made it,
/// and the highest sensitivity level of the conversation so far.
/// </summary>
internal sealed record StoredResponse
{
    public required string Id { get; init; }

    public required string OwnerKeyId { get; init; }

    public string? OwnerTeamId { get; init; }

    /// <summary>Every input item of the conversation up to this turn (earlier turns' inputs and outputs included), raw JSON.</summary>
    public required IReadOnlyList<byte[]> Input { get; init; }

    /// <summary>The input items this turn's request sent itself (what <c>input_items</c> lists), raw JSON.</summary>
    public required IReadOnlyList<byte[]> OwnInput { get; init; }

    /// <summary>This turn's output items, raw JSON.</summary>
    public required IReadOnlyList<byte[]> Output { get; init; }

    /// <summary>The response object as the client received it.</summary>
    public required byte[] Response { get; init; }

    public required SensitivityLevel Level { get; init; }

    public required DateTimeOffset ExpiresAt { get; init; }

    /// <summary>
    /// Whether <paramref name="caller"/> may read, continue or delete this response: the key that created it, and with
    /// <see cref="StoredResponseOwner.Team"/> any key of the team it was created in. To everyone else it does not exist.
    /// </summary>
    public bool IsVisibleTo(Caller caller, StoredResponseOwner owner) =>
        string.Equals(OwnerKeyId, caller.KeyId, StringComparison.Ordinal)
        || (owner == StoredResponseOwner.Team && OwnerTeamId is not null && string.Equals(OwnerTeamId, caller.TeamId, StringComparison.Ordinal));
}
